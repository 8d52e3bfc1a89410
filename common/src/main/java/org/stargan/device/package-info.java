/**
 * Which device and libtorch a process computes with: {@link org.stargan.device.DeviceCheck} refuses a device the
 * loaded libtorch cannot use (naming what to set), {@link org.stargan.device.DeviceReport} says what was loaded and
 * which GPUs are visible (logged and exported by the workers), {@link org.stargan.device.DeviceHealth} re-checks the
 * device after a failure so health routes reflect a worker that can no longer compute.
 */
package org.stargan.device;
