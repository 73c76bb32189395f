package io.lifeboat.bucket.chunk;

import com.github.luben.zstd.Zstd;

import java.io.IOException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * One chunk of a chunked backup, as a line of its chunk list: {@code <id> <size> <stored size> <codec>}. The chunk
 * is stored once, at {@link #key}, as its bytes compressed with zstd or, when they do not compress, as they are
 * ({@code raw}), then sealed ({@link ChunkSeal}: as they are, or encrypted). Its id is the hash (SHA-256, or an
 * HMAC for encrypted sources) of what a restore must get back, so a restore checks every chunk before writing it,
 * and a chunk list (whose own hash the authenticated manifest holds) pins every byte.
 */
public record ChunkRef(String id, int size, int storedSize, Codec codec) {

    /** Largest chunk a list may name: no list line makes a restore allocate more. */
    public static final int MAX_SIZE = 16 * 1024 * 1024;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");

    public enum Codec { zstd, raw }

    /** Where the chunk {@code id} is stored in {@code store} (a folder ending in '/'): {@code <store><id[0..2]>/<id>}. */
    public static String key(String store, String id) {
        return store + id.substring(0, 2) + "/" + id;
    }

    public String key(String store) {
        return key(store, id);
    }

    public String line() {
        return id + " " + size + " " + storedSize + " " + codec + "\n";
    }

    /** A chunk list line; refused (IOException naming the problem) unless well formed. */
    public static ChunkRef parse(String line) throws IOException {
        String[] f = line.split(" ");
        try {
            if (f.length != 4 || !ID.matcher(f[0]).matches()) {
                throw new IllegalArgumentException();
            }
            int size = Integer.parseInt(f[1]);
            int stored = Integer.parseInt(f[2]);
            if (size <= 0 || size > MAX_SIZE || stored <= 0 || stored > Zstd.compressBound(MAX_SIZE)) {
                throw new IllegalArgumentException();
            }
            return new ChunkRef(f[0], size, stored, Codec.valueOf(f[3]));
        } catch (IllegalArgumentException e) {
            throw new IOException("chunk list line '" + (line.length() > 100 ? line.substring(0, 100) + "..." : line)
                    + "' is not '<sha256> <size> <stored size> <zstd|raw>'");
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
        byte[] bytes;
        if (codec == Codec.raw) {
            bytes = stored;
        } else {
            bytes = new byte[size];
            long n;
            try {
                n = Zstd.decompressByteArray(bytes, 0, size, stored, 0, stored.length);
            } catch (RuntimeException corrupt) { // zstd-jni throws on a frame it cannot read
                throw new IOException("chunk " + id + " is damaged: it does not decompress (" + corrupt.getMessage() + ")");
            }
            if (Zstd.isError(n) || n != size) {
                throw new IOException("chunk " + id + " is damaged: it does not decompress to its " + size + " bytes"
                        + (Zstd.isError(n) ? " (" + Zstd.getErrorName(n) + ")" : ""));
            }
        }
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
