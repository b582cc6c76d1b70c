/** The bench records which Node measured (and warns off the supported ones), and measures a child process's own CPU. */
import { nodeRecord } from "../../bench/index";
import { timedProcess } from "../../bench/scale";

describe("bench: the Node that measured, and child processes' CPU", () => {
  it("records the Node version; below 22 it is not a supported runtime and says so", () => {
    expect(nodeRecord("22.23.5")).toEqual({ version: "22.23.5", supported: true });
    expect(nodeRecord("24.22.3")).toEqual({ version: "24.22.3", supported: true });
    const old = nodeRecord("20.19.5");
    expect(old).toMatchObject({ version: "20.19.5", supported: false });
    expect(old.warning).toMatch(/^node 20\.19\.5 is not a supported runtime \(engines >= 22\)/);
  });

  it("counts a child's CPU (a busy child of 0.4 s wall), not this process's", () => {
    if (process.platform !== "linux") return;
    const busy = timedProcess(["-e", "const t = Date.now(); while (Date.now() - t < 400);"]);
    expect(busy.seconds).toBeGreaterThanOrEqual(0.4);
    expect(busy.cpuSeconds).toBeGreaterThanOrEqual(0.3);
    const idle = timedProcess(["-e", "setTimeout(() => undefined, 400)"]);
    expect(idle.cpuSeconds).toBeLessThan(0.3);
    expect(() => timedProcess(["-e", "process.exit(3)"])).toThrow(/exited 3/);
  });
});
