package io.lifeboat.stack;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** Entry point of `./lifeboat up|down|status|token` (the launcher script builds first, then calls this). */
@Command(name = "lifeboat", mixinStandardHelpOptions = true, subcommands = {
        StackCommand.Up.class, StackCommand.Down.class, StackCommand.Status.class, StackCommand.Token.class,
        io.lifeboat.cli.BackupCommands.ListBackups.class, io.lifeboat.cli.BackupCommands.RunBackup.class,
        io.lifeboat.cli.BackupCommands.Verify.class, io.lifeboat.cli.RestoreCommand.class,
        io.lifeboat.cli.IncidentCommands.class, io.lifeboat.cli.IncidentCommands.Report.class,
        io.lifeboat.cli.DrillCommands.class, io.lifeboat.cli.DrillCommands.Calendar.class, io.lifeboat.cli.DrillCommands.Rpo.class},
        description = "Runs the Lifeboat platform locally and drives it: backups, restores, incidents, reports, drills.")
public final class StackCommand {

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new StackCommand());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // one clear line; 3 = the API refused, 4 = cannot reach a service or server, 1 = anything else
            commandLine.getErr().println("lifeboat: " + (e instanceof RuntimeException && e.getMessage() != null ? e.getMessage() : e.toString()));
            return e.getClass().getSimpleName().equals("Failure") ? (e.getMessage().startsWith("cannot reach") ? 4 : 3) : 1;
        });
        System.exit(cli.execute(args));
    }

    static LocalStack stack() {
        Path stackHome = Path.of(System.getProperty("lifeboat.stack.home", "deploy/target/stack")).toAbsolutePath();
        return new LocalStack(StackSettings.fromEnvironment(), stackHome, System.out);
    }

    @Command(name = "up", description = "Start the servers and the four services (idempotent).")
    static final class Up implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            long start = System.nanoTime();
            LocalStack stack = stack();
            stack.up();
            stack.printWelcome();
            System.out.printf("Up in %.1f s.%n", (System.nanoTime() - start) / 1e9);
            return 0;
        }
    }

    @Command(name = "down", description = "Stop everything `up` started (by PID). Data stays.")
    static final class Down implements Callable<Integer> {
        @Override
        public Integer call() {
            List<String> stopped = stack().down();
            System.out.println(stopped.isEmpty() ? "Nothing was running." : "Stopped: " + String.join(", ", stopped));
            return 0;
        }
    }

    @Command(name = "status", description = "What runs and whether each health check is UP (exit 3 when not all UP).")
    static final class Status implements Callable<Integer> {
        @Override
        public Integer call() {
            return stack().status() ? 0 : 3;
        }
    }

    @Command(name = "token", description = "Print a bearer token for a role: viewer, operator or admin.")
    static final class Token implements Callable<Integer> {
        @Parameters(index = "0", description = "viewer | operator | admin")
        String role;

        @CommandLine.Option(names = "--ttl", description = "lifetime, ISO-8601 (default PT12H)", defaultValue = "PT12H")
        Duration ttl;

        @Override
        public Integer call() {
            LocalStack stack = stack();
            stack.tokens().ensureKeys();
            System.out.println(stack.tokens().issue(role, System.getProperty("user.name", "local") + "@" + role, ttl));
            return 0;
        }
    }
}
