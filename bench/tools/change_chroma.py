#!/usr/bin/env python3
"""One "day" of a ChromaDB-like store (bench/chunk-bench.sh): N new documents in chroma.sqlite3 (rows in
embeddings, embedding_metadata and the full-text index, WAL mode, checkpointed as Chroma does on close), and their
vectors written in place into one HNSW segment's data_level0.bin, whose header.bin is rewritten too. With the
defaults about 1 % of the store's files and bytes change.
usage: change_chroma.py <chroma_db> <seed> [documents]"""
import os, random, sqlite3, struct, sys, uuid

root, seed = sys.argv[1], int(sys.argv[2])
docs = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
rnd = random.Random(seed)
DIM, M0 = 384, 32
ELEMENT = 4 + 4 * M0 + 4 * DIM + 8  # hnswlib level 0: link count, links, vector, label

con = sqlite3.connect(os.path.join(root, 'chroma.sqlite3'))
con.execute('PRAGMA journal_mode=WAL')
(meta_seg,) = con.execute("SELECT id FROM segments WHERE scope = 'METADATA'").fetchone()
(top,) = con.execute('SELECT max(id) FROM embeddings').fetchone()
words = ['vector', 'store', 'backup', 'restore', 'chunk', 'drill', 'incident', 'recovery', 'point', 'objective']
for i in range(1, docs + 1):
    rowid = top + i
    doc = ' '.join(rnd.choice(words) + str(rnd.randrange(1000)) for _ in range(150))
    con.execute('INSERT INTO embeddings (id, segment_id, embedding_id, seq_id) VALUES (?,?,?,?)',
                (rowid, meta_seg, str(uuid.UUID(int=rnd.getrandbits(128))), struct.pack('>Q', rowid)))
    con.execute('INSERT INTO embedding_metadata (id, key, string_value) VALUES (?,?,?)', (rowid, 'chroma:document', doc))
    con.execute('INSERT INTO embedding_fulltext_search (rowid, string_value) VALUES (?,?)', (rowid, doc))
con.commit()
con.close()

segments = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
seg = os.path.join(root, segments[seed % len(segments)])
data = os.path.join(seg, 'data_level0.bin')
elements = os.path.getsize(data) // ELEMENT
with open(data, 'r+b') as f:
    start = rnd.randrange(max(1, elements - docs))
    f.seek(start * ELEMENT)
    f.write(rnd.randbytes(docs * ELEMENT))
with open(os.path.join(seg, 'header.bin'), 'r+b') as f:
    f.seek(0)
    f.write(rnd.randbytes(64))
