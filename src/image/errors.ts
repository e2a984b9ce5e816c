import { HotspotError } from "../errors.js";

/** Building the image failed on the builder (provisioning failed, or it did not power off in time). */
export class ImageBuildError extends HotspotError {
  constructor(message: string) {
    super("HOTSPOT_IMAGE_BUILD", message);
  }
}
