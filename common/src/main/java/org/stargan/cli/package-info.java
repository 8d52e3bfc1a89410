/** The {@code ./stargan} command line: runs the StarGAN core directly, like the official {@code main.py}. */
package org.stargan.cli;
