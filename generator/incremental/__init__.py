"""Incremental building: what the last build saw and made, and whether it still holds.

Only `generator.incremental.memo` may be imported by render and the sources; the rest
(the build cache, the output snapshot, the clock's replay, the code fingerprint) is
`generator.build`'s to use (docs/decisions.md, "Architecture").
"""
