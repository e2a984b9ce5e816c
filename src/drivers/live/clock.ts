// The clock lives in src/util/clock.ts; this name stays for the files still importing it here.
export { type Clock as LiveClock, nowSeconds, pollFor, wallClock } from "../../util/clock.js";
