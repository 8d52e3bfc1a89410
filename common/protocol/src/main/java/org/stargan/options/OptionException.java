package org.stargan.options;

/** A wrong option or option value; the message names the option, the value and what was expected. */
public final class OptionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message e.g. {@code train: --batch-size 'lots', expected a whole number ≥ 1} */
    public OptionException(String message) {
        super(message);
    }
}
