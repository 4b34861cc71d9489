"""Writing the index: product and study sources, parsing, embedding, upserting, claim audit."""
