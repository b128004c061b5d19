"""Answer layer: passages in, `Answer` (text with [n] markers + citations) out."""
