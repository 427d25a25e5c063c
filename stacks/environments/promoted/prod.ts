// Written by `npm run promote -- dev prod`: the image values dev runs (cluster/dev, image
// automation included). stacks/environments/prod.ts lays them over its remla values. Do not edit by
// hand: promote again, or change the definition.
import type { DeepPartial } from "../../releases/index.ts";
import type { RemlaValues } from "../../releases/remla.ts";

export default {
  appFrontend: {
    image: {
      tag: "v1.5.1",
    },
  },
  appService: {
    image: {
      tag: "v1.6.0",
    },
  },
  modelService: {
    image: {
      tag: "v0.5.0",
    },
  },
} satisfies DeepPartial<RemlaValues>;
