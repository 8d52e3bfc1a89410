package org.stargan.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's API keys, held only as SHA-256 hashes: a key file lists {@code <name> sha256:<hex> <scope>[,<scope>]}
 * per line, so neither the file nor the deployment config nor memory holds a usable key. Keys given in plain text
 * (for a local setup: {@code --api-keys key:scope,...}) are hashed as they are read. A plain SHA-256 is enough because
 * keys are random 256-bit strings ({@link #newKey()}), not passwords: there is nothing to guess from a hash.
 *
 * <p>The name {@code *} with scope {@code translate} opens translation to callers without a key.
 */
public final class ApiKeys {
    /** What a key may do; each scope includes the ones before it. */
    public enum Scope {
        /** translate images and list models */
        TRANSLATE,
        /** also start, follow and cancel training jobs */
        TRAIN,
        /** everything */
        ADMIN;

        /** Parses {@code translate}, {@code train} or {@code admin}, naming {@code field} when it is none of them. */
        static Scope parse(String text, String field) {
            return switch (text.trim()) {
                case "translate" -> TRANSLATE;
                case "train" -> TRAIN;
                case "admin" -> ADMIN;
                default ->
                    throw new IllegalArgumentException(
                            field + ": scope '" + text.trim() + "', expected translate, train or admin");
            };
        }

        String label() {
            return name().toLowerCase();
        }
    }

    /**
     * One key.
     *
     * @param name who holds it (for metrics and logs; never the key)
     * @param scope the widest scope it has
     */
    public record Holder(String name, Scope scope) {
        /** Whether this key may do what {@code needed} asks. */
        public boolean allows(Scope needed) {
            return scope.compareTo(needed) >= 0;
        }
    }

    /** Callers without a key when translation is open. */
    public static final String ANYONE = "*";

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<String, Holder> byHash;
    private final Holder anyone;

    private ApiKeys(Map<String, Holder> byHash, Holder anyone) {
        this.byHash = Map.copyOf(byHash);
        this.anyone = anyone;
    }

    /** No keys: translation open, training disabled. */
    public static ApiKeys none() {
        return new ApiKeys(Map.of(), null);
    }

    /** Whether no key at all is configured. */
    public boolean isEmpty() {
        return byHash.isEmpty() && anyone == null;
    }

    /** Whether callers without a key may translate. */
    public boolean openToAnyone() {
        return anyone != null;
    }

    /** The holder of {@code key}, the anonymous holder when {@code key} is null and translation is open, else null. */
    public Holder holder(String key) {
        return key == null ? anyone : byHash.get(hash(key));
    }

    /** {@code key:scope,key2:scope2} with plain keys (hashed here); {@code *:translate} opens translation. */
    public static ApiKeys parsePlain(String spec, String field) {
        Map<String, Holder> keys = new LinkedHashMap<>();
        Holder anyone = null;
        for (String kv : spec.split(",")) {
            if (kv.isBlank()) {
                continue;
            }
            int colon = kv.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(
                        field + ": '" + redact(kv) + "', expected key:scope with scope translate, train or admin");
            }
            String key = kv.substring(0, colon).trim();
            Scope scope = Scope.parse(kv.substring(colon + 1), field);
            if (key.equals(ANYONE)) {
                anyone = anonymous(scope, field);
            } else {
                // Named by the start of its hash: recognisable in metrics and messages, useless to an attacker.
                String h = hash(key);
                keys.put(h, new Holder("sha256:" + h.substring(0, 8), scope));
            }
        }
        return new ApiKeys(keys, anyone);
    }

    /** Reads a key file: {@code <name> sha256:<hex> <scope>} per line; {@code #} starts a comment; {@code * - translate} opens translation. */
    public static ApiKeys readFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("API key file " + file + ": cannot be read (" + e.getMessage() + ")");
        }
        Map<String, Holder> keys = new LinkedHashMap<>();
        Holder anyone = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceFirst("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            String where = file.getFileName() + " line " + (i + 1);
            String[] f = line.split("\\s+");
            if (f.length != 3) {
                throw new IllegalArgumentException(
                        where + ": " + f.length + " fields, expected <name> sha256:<64 hex digits> <scope>");
            }
            Scope scope = Scope.parse(f[2], where);
            if (f[0].equals(ANYONE)) {
                anyone = anonymous(scope, where);
                continue;
            }
            if (!f[0].matches("[A-Za-z0-9._@-]{1,64}")) {
                throw new IllegalArgumentException(
                        where + ": name '" + f[0] + "', expected 1-64 characters of A-Z a-z 0-9 . _ @ -");
            }
            if (!f[1].matches("sha256:[0-9a-f]{64}")) {
                throw new IllegalArgumentException(where + ": '" + redact(f[1])
                        + "', expected sha256:<64 lower-case hex digits> (the hash, not the key;"
                        + " ./stargan api-key prints the line)");
            }
            if (keys.put(f[1].substring(7), new Holder(f[0], scope)) != null) {
                throw new IllegalArgumentException(where + ": the same key hash appears twice");
            }
        }
        return new ApiKeys(keys, anyone);
    }

    /** Both sources together (a key in both keeps the file's entry). */
    public ApiKeys and(ApiKeys other) {
        Map<String, Holder> all = new LinkedHashMap<>(other.byHash);
        all.putAll(byHash);
        return new ApiKeys(all, anyone != null ? anyone : other.anyone);
    }

    /** A fresh random key: 32 bytes, URL-safe base64. */
    public static String newKey() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The key file line for {@code key}. */
    public static String fileLine(String name, String key, Scope scope) {
        return name + " sha256:" + hash(key) + " " + scope.label();
    }

    /** Hex SHA-256 of the key's UTF-8 bytes. */
    static String hash(String key) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    private static Holder anonymous(Scope scope, String field) {
        if (scope != Scope.TRANSLATE) {
            throw new IllegalArgumentException(
                    field + ": '*' (anyone without a key) may only have scope translate, found " + scope.label());
        }
        return new Holder(ANYONE, Scope.TRANSLATE);
    }

    /** Keeps a mistyped secret out of error messages and logs. */
    private static String redact(String s) {
        return s.length() <= 8 ? "…" : s.substring(0, 4) + "…";
    }

    /** The JSON form: hashes only. */
    public JsonArray toJson() {
        JsonArray a = new JsonArray();
        byHash.forEach((h, holder) -> a.add(new JsonObject()
                .put("name", holder.name())
                .put("sha256", h)
                .put("scope", holder.scope().label())));
        if (anyone != null) {
            a.add(new JsonObject().put("name", ANYONE).put("scope", Scope.TRANSLATE.label()));
        }
        return a;
    }

    /** Reads {@link #toJson()}. */
    public static ApiKeys fromJson(JsonArray a) {
        Map<String, Holder> keys = new LinkedHashMap<>();
        Holder anyone = null;
        for (int i = 0; i < a.size(); i++) {
            JsonObject k = a.getJsonObject(i);
            Scope scope = Scope.parse(k.getString("scope", ""), "apiKeys[" + i + "].scope");
            if (ANYONE.equals(k.getString("name"))) {
                anyone = anonymous(scope, "apiKeys[" + i + "]");
            } else {
                keys.put(k.getString("sha256"), new Holder(k.getString("name"), scope));
            }
        }
        return new ApiKeys(keys, anyone);
    }
}
