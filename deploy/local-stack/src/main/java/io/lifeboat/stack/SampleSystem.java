package io.lifeboat.stack;

import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
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
            List<String> segments = new ArrayList<>();
            for (int segment = 0; segment < 3; segment++) {
                segments.add(new java.util.UUID(random.nextLong(), random.nextLong()).toString());
            }
            chromaSqlite(chromaDb.resolve("chroma.sqlite3"), segments, random);
            for (int segment = 0; segment < 3; segment++) {
                Path dir = chromaDb.resolve(segments.get(segment));
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
        } catch (IOException | SQLException e) {
            throw new StackException("cannot create the sample directory " + chromaDb + ": " + e.getMessage(), e);
        }
    }

    /** ChromaDB's metadata database in its journal mode (WAL): collections, segments, 500 embeddings per segment. */
    private static void chromaSqlite(Path file, List<String> segments, Random random) throws SQLException {
        try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE collections (id TEXT PRIMARY KEY, name TEXT NOT NULL, dimension INTEGER)");
            s.execute("CREATE TABLE segments (id TEXT PRIMARY KEY, type TEXT NOT NULL, scope TEXT NOT NULL, collection TEXT)");
            s.execute("CREATE TABLE embeddings (id INTEGER PRIMARY KEY, segment_id TEXT NOT NULL, embedding_id TEXT NOT NULL, "
                    + "created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, UNIQUE (segment_id, embedding_id))");
            s.execute("INSERT INTO collections VALUES ('chatbot_docs', 'chatbot_docs', 384)");
            c.setAutoCommit(false);
            try (PreparedStatement segment = c.prepareStatement("INSERT INTO segments VALUES (?, 'urn:chroma:segment/vector/hnsw-local-persisted', 'VECTOR', 'chatbot_docs')");
                 PreparedStatement embedding = c.prepareStatement("INSERT INTO embeddings (segment_id, embedding_id) VALUES (?, ?)")) {
                for (String id : segments) {
                    segment.setString(1, id);
                    segment.executeUpdate();
                    for (int i = 0; i < 500; i++) {
                        embedding.setString(1, id);
                        embedding.setString(2, new java.util.UUID(random.nextLong(), random.nextLong()).toString());
                        embedding.addBatch();
                    }
                    embedding.executeBatch();
                }
            }
            c.commit();
        }
    }
}
