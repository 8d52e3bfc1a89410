package org.stargan.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finds a Python interpreter that can import torch, for the reference runs. */
public final class PythonFinder {
    private PythonFinder() {}

    /** The first interpreter among $STARGAN_PYTHON, python3 and the system python3 that can import torch. */
    public static String withTorch() throws InterruptedException {
        List<String> candidates = new ArrayList<>();
        String configured = System.getenv("STARGAN_PYTHON");
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured);
        }
        // Debian's python3-torch installs into the system interpreter, which a version manager may shadow on PATH.
        candidates.add("python3");
        candidates.add("/usr/bin/python3");
        for (String c : candidates) {
            try {
                Process p = new ProcessBuilder(c, "-c", "import torch")
                        .redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return c;
                }
            } catch (IOException ignored) {
                // not installed under this name; try the next
            }
        }
        throw new IllegalStateException("--reference: no Python interpreter with torch among " + candidates
                + "; install it with: apt-get install python3-torch, or set STARGAN_PYTHON");
    }
}
