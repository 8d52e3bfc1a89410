package org.stargan.gateway;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.stargan.options.Option;
import org.stargan.options.OptionException;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;

/**
 * {@code ./stargan api-key --name NAME --scope translate|train|admin [--file FILE]}: makes a new random key, prints
 * it once (it is stored nowhere) and the key-file line holding only its hash; with {@code --file} appends that line
 * to the gateway's key file (created readable by its owner only).
 */
public final class ApiKeyCommand {
    static final OptionTable OPTIONS = new OptionTable(
            "api-key",
            List.of(
                    Option.text("name", "NAME", "who holds the key: 1-64 characters of A-Z a-z 0-9 . _ @ - (required)"),
                    Option.choice(
                            "scope",
                            List.of("translate", "train", "admin"),
                            "what the key may do; scopes nest: translate (translations, /v1/stream, /v1/models), "
                                    + "train (also the training routes), admin (everything) (required)"),
                    Option.path(
                            "file",
                            "FILE",
                            "append the key's line to this key file (created readable by its owner only), the "
                                    + "gateway's --api-keys-file")));

    static final String USAGE = OPTIONS.help("api-key --name NAME --scope translate|train|admin [--file FILE]", """
            Makes a new random API key for the gateway and prints it once; only its SHA-256 hash is stored (the key
            file line). For example:

              ./stargan api-key --name alice --scope translate""");

    private ApiKeyCommand() {}

    /** Runs the command; exits 2 on a usage error. */
    public static void main(String[] args) throws IOException {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /** Runs the command: 0 when the key was made, 2 for a usage error. */
    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (OptionTable.asksForHelp(args)) {
            out.print(USAGE);
            return 0;
        }
        try {
            OptionValues o = OPTIONS.parse(args);
            String name = (String) o.required("name");
            if (!name.matches("[A-Za-z0-9._@-]{1,64}")) {
                throw new OptionException(
                        "api-key: --name '" + name + "', expected 1-64 characters of A-Z a-z 0-9 . _ @ -");
            }
            ApiKeys.Scope scope = ApiKeys.Scope.parse((String) o.required("scope"), "--scope");
            Path file = o.has("file") ? Path.of(o.text("file")) : null;
            String key = ApiKeys.newKey();
            String line = ApiKeys.fileLine(name, key, scope);
            if (file != null) {
                if (!Files.exists(file)) {
                    Files.createFile(
                            file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                }
                Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            }
            out.println("key (shown once; give it to " + name + "): " + key);
            out.println(file == null ? "key file line: " + line : "added to " + file + ": " + line);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println("(" + OPTIONS.hint() + ")");
            return 2;
        }
    }
}
