"""What the allocation tells the apps above it (experiments), which it may not import.

Each signal is sent inside the publishing transaction, so a receiver's writes commit or
roll back with the placement they follow.
"""

from django.dispatch import Signal

# A laureate was placed in a commune by a publication: kwargs placement, by.
placement_published = Signal()
# A published laureate moved to another commune: kwargs previous, placement, by.
placement_moved = Signal()
# A published laureate withdrew: kwargs placement, by, note.
placement_withdrawn = Signal()
