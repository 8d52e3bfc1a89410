/**
 * Real photos: faces found with OpenCV's cascade detectors, aligned as CelebA's faces were before the model sees them,
 * and the translation warped back into the photo under a feathered mask, at the photo's own size, format and EXIF
 * orientation.
 */
package org.stargan.face;
