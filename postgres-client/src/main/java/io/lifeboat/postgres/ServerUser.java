package io.lifeboat.postgres;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL's server programs refuse to run as root. When Lifeboat runs as root (a container's default, these
 * build machines), a server it starts itself (the local stack's clusters, a restore's recovery server) runs as the
 * {@code postgres} OS user, and the folders it uses are handed to that user first.
 */
public final class ServerUser {

    public static final String NAME = "postgres";

    private ServerUser() {
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** {@code command}, run as the server user when this process is root. */
    public static List<String> wrap(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + NAME, "--regid=" + NAME, "--init-groups"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Gives {@code path} (recursively) to the server user when this process is root; a no-op otherwise. */
    public static void own(Path path) throws IOException {
        if (!isRoot()) {
            return;
        }
        try {
            Process p = new ProcessBuilder("chown", "-R", NAME + ":" + NAME, path.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException("chown -R " + NAME + " " + path + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while handing " + path + " to " + NAME);
        }
    }
}
