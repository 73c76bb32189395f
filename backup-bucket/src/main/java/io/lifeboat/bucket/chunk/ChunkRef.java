package io.lifeboat.bucket.chunk;

import com.github.luben.zstd.Zstd;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * One chunk of a chunked backup, as a line of its chunk list: {@code <id> <size> <stored size> <codec> <pack>
 * <offset>}. The chunk is stored once, as its bytes compressed with zstd or, when they do not compress, as they are
 * ({@code raw}), then sealed ({@link ChunkSeal}: as they are, or encrypted), at {@code offset} in a pack: an object
 * of many chunks ({@link #packKey}), so a restore fetches a run of chunks with one ranged GET instead of one request
 * per chunk. Lines of 4 fields (no pack) are chunks stored as objects of their own ({@link #key}), as backups made
 * before packs store them. Its id is the hash (SHA-256, or an HMAC for encrypted sources) of what a restore must get
 * back, so a restore checks every chunk before writing it, and a chunk list (whose own hash the authenticated
 * manifest holds) pins every byte.
 */
public record ChunkRef(String id, int size, int storedSize, Codec codec, String pack, long offset) {

    /** Largest chunk a list may name: no list line makes a restore allocate more. */
    public static final int MAX_SIZE = 16 * 1024 * 1024;
    /** Largest offset in a pack a list may name (packs are cut at a few MiB). */
    public static final long MAX_PACK_OFFSET = 1L << 30;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public enum Codec { zstd, raw }

    /** A chunk stored as an object of its own (backups made before packs). */
    public ChunkRef(String id, int size, int storedSize, Codec codec) {
        this(id, size, storedSize, codec, null, 0);
    }

    /** The same chunk, stored at {@code offset} in {@code pack}. */
    public ChunkRef in(String pack, long offset) {
        return new ChunkRef(id, size, storedSize, codec, pack, offset);
    }

    /** Where the chunk {@code id} is stored in {@code store} as an object of its own: {@code <store><id[0..2]>/<id>}. */
    public static String key(String store, String id) {
        return store + id.substring(0, 2) + "/" + id;
    }

    /** Where the pack {@code pack} is stored in {@code store}: {@code <store>packs/<pack[0..2]>/<pack>}. */
    public static String packKey(String store, String pack) {
        return store + "packs/" + pack.substring(0, 2) + "/" + pack;
    }

    /** The object that holds this chunk's stored bytes: its pack, or its own object. */
    public String key(String store) {
        return pack == null ? key(store, id) : packKey(store, pack);
    }

    /** A new pack's name: 256 random bits (hex), known before its content is. */
    public static String newPackName() {
        byte[] name = new byte[32];
        RANDOM.nextBytes(name);
        return HexFormat.of().formatHex(name);
    }

    public String line() {
        return id + " " + size + " " + storedSize + " " + codec + (pack == null ? "" : " " + pack + " " + offset) + "\n";
    }

    /** A chunk list line; refused (IOException naming the problem) unless well formed. */
    public static ChunkRef parse(String line) throws IOException {
        String[] f = line.split(" ");
        try {
            if ((f.length != 4 && f.length != 6) || !ID.matcher(f[0]).matches()) {
                throw new IllegalArgumentException();
            }
            int size = Integer.parseInt(f[1]);
            int stored = Integer.parseInt(f[2]);
            if (size <= 0 || size > MAX_SIZE || stored <= 0 || stored > Zstd.compressBound(MAX_SIZE)) {
                throw new IllegalArgumentException();
            }
            ChunkRef chunk = new ChunkRef(f[0], size, stored, Codec.valueOf(f[3]));
            if (f.length == 4) {
                return chunk;
            }
            long offset = Long.parseLong(f[5]);
            if (!ID.matcher(f[4]).matches() || offset < 0 || offset > MAX_PACK_OFFSET) {
                throw new IllegalArgumentException();
            }
            return chunk.in(f[4], offset);
        } catch (IllegalArgumentException e) {
            throw new IOException("chunk list line '" + (line.length() > 100 ? line.substring(0, 100) + "..." : line)
                    + "' is not '<sha256> <size> <stored size> <zstd|raw> [<pack> <offset>]'");
        }
    }

    /**
     * The chunk's bytes from what was stored, opened with {@code seal}; throws unless they are exactly the chunk
     * (size, and the id {@code seal} makes of them).
     */
    public byte[] decode(byte[] sealed, ChunkSeal seal) throws IOException {
        if (sealed.length != storedSize) {
            throw new IOException("chunk " + id + " holds " + sealed.length + " stored bytes, its list says " + storedSize);
        }
        byte[] stored = seal.open(id, sealed);
        return checked(codec == Codec.raw ? stored : decompress(stored, 0, stored.length), seal);
    }

    /**
     * The chunk's bytes from its stored bytes at {@code offset} in {@code pack} (a pack's bytes, or a run of them):
     * a compressed chunk of a plain source is decompressed from there, without a copy of its stored bytes.
     */
    public byte[] decode(byte[] pack, int offset, ChunkSeal seal) throws IOException {
        if (offset < 0 || offset + storedSize > pack.length) {
            throw new IOException("chunk " + id + " (" + storedSize + " stored bytes at " + offset + ") lies past the "
                    + pack.length + " bytes fetched");
        }
        if (seal.encrypts() || codec == Codec.raw) {
            return decode(java.util.Arrays.copyOfRange(pack, offset, offset + storedSize), seal);
        }
        return checked(decompress(pack, offset, storedSize), seal);
    }

    private byte[] decompress(byte[] stored, int offset, int length) throws IOException {
        byte[] bytes = new byte[size];
        long n;
        try {
            n = Zstd.decompressByteArray(bytes, 0, size, stored, offset, length);
        } catch (RuntimeException corrupt) { // zstd-jni throws on a frame it cannot read
            throw new IOException("chunk " + id + " is damaged: it does not decompress (" + corrupt.getMessage() + ")");
        }
        if (Zstd.isError(n) || n != size) {
            throw new IOException("chunk " + id + " is damaged: it does not decompress to its " + size + " bytes"
                    + (Zstd.isError(n) ? " (" + Zstd.getErrorName(n) + ")" : ""));
        }
        return bytes;
    }

    /** {@code bytes}, when they are exactly the chunk: its size, and the id {@code seal} makes of them. */
    private byte[] checked(byte[] bytes, ChunkSeal seal) throws IOException {
        if (bytes.length != size) {
            throw new IOException("chunk " + id + " is damaged: it holds " + bytes.length + " bytes, its list says " + size);
        }
        String actual = seal.id(bytes);
        if (!actual.equals(id)) {
            throw new IOException("chunk " + id + " is damaged: its bytes hash to " + actual);
        }
        return bytes;
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(io.lifeboat.bucket.StoredObjectDigest.sha256().digest(bytes));
    }
}
