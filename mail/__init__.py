"""Pure e-mail building blocks: parsing, reply extraction, loop protection and composition (no I/O)."""
