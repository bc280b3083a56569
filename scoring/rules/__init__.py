"""The programme's rules, one module per clause family; each a pure vectorised function."""
