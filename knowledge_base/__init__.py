"""Knowledge base: lexical and dense indexes, hybrid retrieval and extractive answers."""
