package org.stargan.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code ./stargan api-key --name NAME --scope translate|train|admin [--file FILE]}: makes a new random key, prints
 * it once (it is stored nowhere) and the key-file line holding only its hash; with {@code --file} appends that line
 * to the gateway's key file (created readable by its owner only).
 */
public final class ApiKeyCommand {
    private ApiKeyCommand() {}

    /** Runs the command; exits 2 on a usage error. */
    public static void main(String[] args) throws IOException {
        String name = null;
        String scope = null;
        Path file = null;
        try {
            if (args.length % 2 != 0) {
                throw new IllegalArgumentException("option " + args[args.length - 1] + " needs a value");
            }
            for (int i = 0; i < args.length; i += 2) {
                switch (args[i]) {
                    case "--name" -> name = args[i + 1];
                    case "--scope" -> scope = args[i + 1];
                    case "--file" -> file = Path.of(args[i + 1]);
                    default ->
                        throw new IllegalArgumentException(
                                "unknown option " + args[i] + "; known: --name --scope --file");
                }
            }
            if (name == null || !name.matches("[A-Za-z0-9._@-]{1,64}")) {
                throw new IllegalArgumentException(
                        "--name: '" + name + "', expected who holds the key, 1-64 characters of A-Z a-z 0-9 . _ @ -");
            }
            if (scope == null) {
                throw new IllegalArgumentException("--scope: missing, expected translate, train or admin");
            }
            String key = ApiKeys.newKey();
            String line = ApiKeys.fileLine(name, key, ApiKeys.Scope.parse(scope, "--scope"));
            if (file != null) {
                if (!Files.exists(file)) {
                    Files.createFile(
                            file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                }
                Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            }
            System.out.println("key (shown once; give it to " + name + "): " + key);
            System.out.println(file == null ? "key file line: " + line : "added to " + file + ": " + line);
        } catch (IllegalArgumentException e) {
            System.err.println("api-key: " + e.getMessage());
            System.exit(2);
        }
    }
}
