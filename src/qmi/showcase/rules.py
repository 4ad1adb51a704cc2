"""Who may edit the public site's own pages: the operator, who runs the platform day to day."""

import rules

from qmi.accounts.rules import is_operator_staff

rules.add_perm("showcase.change_sitepage", is_operator_staff)
