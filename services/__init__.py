"""Channel-neutral use cases (answering, feedback, ...): plain values in, dataclasses out."""
