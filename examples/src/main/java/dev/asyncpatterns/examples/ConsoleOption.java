package dev.asyncpatterns.examples;

import dev.asyncpatterns.console.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.UnaryOperator;

/**
 * The examples' {@code --console} option: serves the live console on loopback with a freshly
 * generated operator token, prints both, and keeps it up until Enter is pressed.
 */
final class ConsoleOption {

    private ConsoleOption() {}

    /** Whether the command line asked for the console. */
    static boolean requested() {
        return Launcher.flag("--console");
    }

    /**
     * Starts the console configured by {@code panels}, tells the user where it is, and waits for
     * Enter (the example's components stay alive meanwhile).
     */
    static void serveUntilEnter(PrintStream out, UnaryOperator<Console.Builder> panels) throws IOException {
        Console console = start(out, panels);
        try {
            waitForEnter(out);
        } finally {
            console.close();
        }
    }

    /** Starts the console with a fresh token and prints where it is; the caller closes it. */
    static Console start(PrintStream out, UnaryOperator<Console.Builder> panels) {
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret); // an application reads it from its secrets
        Console console = panels.apply(Console.builder().token(token)).start();
        out.println("console: open " + console.uri() + " (operator token " + token + " for Replay/Purge)");
        return console;
    }

    /** Blocks until the user presses Enter (or standard input ends). */
    static void waitForEnter(PrintStream out) throws IOException {
        out.println("console: press Enter to stop");
        while (System.in.read() > 0 && System.in.available() > 0) {
            // consume the rest of the line
        }
    }
}
