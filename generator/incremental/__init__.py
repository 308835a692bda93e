"""Incremental building: what the last build saw and made, and whether it still holds.

Only `generator.incremental.memo` may be imported by render and the sources; the rest
(the build cache, the output snapshot, the clock's replay, the code fingerprint) is
`generator.build`'s to use (docs/decisions.md, "Architecture").

- `last_build`: `LastBuild`, what the build asks before and tells after;
- `memos`: the memos it hands out (`PostCache`, `PageCache`), on
- `cache`: the SQLite file (`BuildCache`), and `snapshot`: `Snapshot`, `input_digest`;
- `clock`: `TimeValues`, the time-dependent values pages show, replayed;
- `files`: the state of files and folders, read fast; `fingerprint`: `code_fingerprint`.
"""
