/** Running a trained generator: {@link org.stargan.infer.Translator}. */
package org.stargan.infer;
