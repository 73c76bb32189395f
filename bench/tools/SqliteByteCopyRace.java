import org.sqlite.SQLiteConfig;
import java.nio.file.*;
import java.sql.*;
import java.util.concurrent.atomic.*;
/**
 * How often a byte copy of a live WAL-mode SQLite database (the main file, then its -wal a moment later, as tar
 * reads a folder) is not a usable database, while a writer commits rows and checkpoints. Lifeboat copies SQLite
 * files with the online backup API instead (backup-service SqliteSnapshot). Run: bash bench/sqlite-byte-copy.sh
 */
public class SqliteByteCopyRace {
  static void delete(Path dir) throws java.io.IOException {
    try (var files = Files.walk(dir)) { for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p); }
  }
  static Connection sqlite(Path p) throws SQLException { return new SQLiteConfig().createConnection("jdbc:sqlite:" + p); }
  public static void main(String[] a) throws Exception {
    Path dir = Files.createTempDirectory("race"); Path db = dir.resolve("chroma.sqlite3");
    try (Connection c = sqlite(db); Statement s = c.createStatement()) { s.execute("PRAGMA journal_mode=WAL"); s.execute("CREATE TABLE e (id INTEGER PRIMARY KEY, p BLOB)"); }
    AtomicBoolean stop = new AtomicBoolean();
    Thread w = new Thread(() -> { try (Connection c = sqlite(db); Statement s = c.createStatement(); PreparedStatement i = c.prepareStatement("INSERT INTO e VALUES (?, zeroblob(1024))")) {
        s.execute("PRAGMA synchronous=NORMAL"); s.execute("PRAGMA wal_autocheckpoint=" + a[1]);
        for (long id = 1; !stop.get(); id++) { i.setLong(1, id); i.executeUpdate(); if (id % Integer.parseInt(a[2]) == 0) Thread.sleep(1); } } catch (Exception e) { throw new RuntimeException(e); } });
    w.start(); Thread.sleep(300);
    int n = Integer.parseInt(a[0]), corrupt = 0, gap = 0, missingWal = 0, ok = 0;
    for (int k = 0; k < n; k++) {
      Path copy = Files.createTempDirectory("copy");
      Files.copy(db, copy.resolve("chroma.sqlite3"));
      Thread.sleep(2); // the tar reads other files in between
      try { Files.copy(dir.resolve("chroma.sqlite3-wal"), copy.resolve("chroma.sqlite3-wal")); } catch (NoSuchFileException e) { missingWal++; }
      try (Connection c = sqlite(copy.resolve("chroma.sqlite3")); Statement s = c.createStatement()) {
        ResultSet rs = s.executeQuery("PRAGMA integrity_check"); rs.next();
        if (!"ok".equals(rs.getString(1))) { corrupt++; continue; }
        rs = s.executeQuery("SELECT count(*), coalesce(max(id),0) FROM e"); rs.next();
        if (rs.getLong(1) != rs.getLong(2)) gap++; else ok++;
      } catch (SQLException e) { corrupt++; }
      finally { delete(copy); }
    }
    stop.set(true); w.join();
    delete(dir);
    System.out.printf("byte copies: %d, consistent %d, integrity_check failed/unreadable %d, not a prefix %d (wal_autocheckpoint %s, %s rows between 1 ms pauses)%n", n, ok, corrupt, gap, a[1], a[2]);
  }
}
