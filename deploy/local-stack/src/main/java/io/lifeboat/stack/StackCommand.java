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
        StackCommand.Up.class, StackCommand.Down.class, StackCommand.Status.class, StackCommand.Token.class},
        description = "Runs the Lifeboat platform locally: the real servers and the four services.")
public final class StackCommand {

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new StackCommand());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // one clear line, no stack trace
            commandLine.getErr().println("lifeboat: " + (e instanceof RuntimeException && e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        });
        System.exit(cli.execute(args));
    }

    static LocalStack stack() {
        Path stackHome = Path.of(System.getProperty("lifeboat.stack.home", "deploy/local-stack/target/stack")).toAbsolutePath();
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

    @Command(name = "token", description = "Print a bearer token for a role: viewer, operator or admin (at most 12 h), "
            + "or a machine role for a deployment: drill, alertmanager.")
    static final class Token implements Callable<Integer> {
        @Parameters(index = "0", description = "viewer | operator | admin | drill | alertmanager")
        String role;

        @CommandLine.Option(names = "--ttl", description = "lifetime, ISO-8601 (default and most PT12H; machine roles P365D)")
        Duration ttl;

        @Override
        public Integer call() {
            LocalStack stack = stack();
            stack.tokens().ensureKeys();
            String subject = System.getProperty("user.name", "local") + "@" + role;
            if (TokenIssuer.MACHINE_ROLES.containsKey(role)) {
                System.out.println(stack.tokens().issueMachine(role, role, ttl == null ? Duration.ofDays(365) : ttl));
            } else {
                System.out.println(stack.tokens().issue(role, subject, ttl == null ? TokenIssuer.MAX_TTL : ttl));
            }
            return 0;
        }
    }
}
