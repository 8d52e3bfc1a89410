package org.stargan.ckpt;

/** A file that is not a checkpoint this project can read, with the reason (file, key, expected vs found). */
public final class CheckpointFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message for the user. */
    public CheckpointFormatException(String message) {
        super(message);
    }

    /** Creates the exception with a message and its cause. */
    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
