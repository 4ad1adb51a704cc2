"""Operations on a call's review: each checks its permission, validates everything before
writing anything, writes in one transaction and leaves an audit entry."""
