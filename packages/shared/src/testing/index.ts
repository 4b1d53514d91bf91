/** @module Test helpers for code built on Heartwire's scheduler. */
export { FakeScheduler } from "./fake-scheduler.js";
