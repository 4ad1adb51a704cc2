"""Operations that change calls and applications: one function per intention, one module per area."""
