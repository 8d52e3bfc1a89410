/** Measuring translation quality: a separately trained domain classifier, reconstruction, synthetic ground truth. */
package org.stargan.eval;
