package io.lifeboat.backup;

import io.lifeboat.stack.Ports;
import io.lifeboat.stack.PostgresServer;
import io.lifeboat.testsupport.Scratch;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A unix socket's path may not exceed 107 bytes. PostgreSQL put its socket in its data folder, so a deep data
 * folder (a long LIFEBOAT_HOME, or a test's scratch folder with long random names) made the server refuse to
 * start: "could not create any Unix-domain sockets". Lifeboat connects over TCP, so such a server now starts
 * without a socket.
 */
class PostgresStartsInADeepDataFolderTest {

    @Test
    void aServerWhoseSocketPathWouldBeTooLongStartsAndAcceptsConnections() throws Exception {
        Path deep = Scratch.directory("a-lifeboat-home-whose-path-is-long-enough-that-a-socket-in-it-");
        Files.setPosixFilePermissions(deep, PosixFilePermissions.fromString("rwxr-xr-x")); // the server's OS user enters it
        Path home = deep.resolve("protected");
        Path data = home.resolve("pg");
        assertThat((data + "/.s.PGSQL.65535").length()).isGreaterThan(107);
        PostgresServer server = new PostgresServer(data, Ports.free(), "deep-folder-pw", home.resolve("postgresql.log"),
                home.resolve("postgresql.pid"));
        server.start(Duration.ofSeconds(90));
        try (Connection c = server.connect("postgres"); ResultSet r = c.createStatement().executeQuery("SELECT 1")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getInt(1)).isEqualTo(1);
        } finally {
            server.stop();
        }
    }
}
