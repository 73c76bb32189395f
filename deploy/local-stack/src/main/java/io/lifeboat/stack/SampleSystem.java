package io.lifeboat.stack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

/**
 * The system Lifeboat protects in the local stack, mirroring the runbook: the {@code chatbot_analytics}
 * database and a ChromaDB-like {@code chroma_db} directory. Created once; existing data is never touched.
 */
public final class SampleSystem {

    public static final String DATABASE = "chatbot_analytics";

    private SampleSystem() {
    }

    /** The application's own role: it owns the sample database and its tables, as in a real deployment. */
    public static final String APP_ROLE = "chatbot";

    public static void ensureDatabase(PostgresServer postgres) {
        try (Connection c = postgres.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN CREATE ROLE " + APP_ROLE + " LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
        } catch (SQLException e) {
            throw new StackException("cannot create the sample role " + APP_ROLE + ": " + e.getMessage(), e);
        }
        postgres.createDatabase(DATABASE);
        try (InputStream in = SampleSystem.class.getResourceAsStream("/sample/chatbot_analytics.sql");
             Connection c = postgres.connect(DATABASE); Statement s = c.createStatement()) {
            s.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            s.execute("ALTER DATABASE " + DATABASE + " OWNER TO " + APP_ROLE);
            s.execute("ALTER TABLE analytics OWNER TO " + APP_ROLE);
            s.execute("ALTER TABLE usage_tracking OWNER TO " + APP_ROLE);
        } catch (IOException | SQLException e) {
            throw new StackException("cannot create the sample database " + DATABASE + ": " + e.getMessage(), e);
        }
    }

    /** A persistent-client layout: chroma.sqlite3 plus HNSW segment folders of float32 vectors. */
    public static void ensureDirectory(Path chromaDb) {
        if (Files.isDirectory(chromaDb)) {
            return;
        }
        try {
            Files.createDirectories(chromaDb);
            Random random = new Random(42);
            byte[] sqlite = new byte[256 * 1024];
            random.nextBytes(sqlite);
            System.arraycopy("SQLite format 3\0".getBytes(StandardCharsets.US_ASCII), 0, sqlite, 0, 16);
            Files.write(chromaDb.resolve("chroma.sqlite3"), sqlite);
            for (int segment = 0; segment < 3; segment++) {
                Path dir = chromaDb.resolve(new java.util.UUID(random.nextLong(), random.nextLong()).toString());
                Files.createDirectories(dir);
                ByteBuffer vectors = ByteBuffer.allocate(500 * 384 * 4).order(ByteOrder.LITTLE_ENDIAN);
                while (vectors.hasRemaining()) {
                    vectors.putFloat((float) random.nextGaussian());
                }
                Files.write(dir.resolve("data_level0.bin"), vectors.array());
                Files.write(dir.resolve("header.bin"), new byte[]{1, 0, 0, 0, (byte) segment});
                Files.write(dir.resolve("length.bin"), ByteBuffer.allocate(8).putLong(500).array());
                Files.write(dir.resolve("link_lists.bin"), new byte[0]);
                Files.writeString(dir.resolve("index_metadata.pickle"), "{\"dimensionality\": 384, \"segment\": " + segment + "}");
            }
        } catch (IOException e) {
            throw new StackException("cannot create the sample directory " + chromaDb + ": " + e.getMessage(), e);
        }
    }
}
