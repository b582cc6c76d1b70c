/**
 * The peer networks of a foundation network: the domain's networks on the other clouds it
 * is joined to by an interconnect stack. Derived from the fleet model (the same slots the
 * IPAM and the VPNs use), so a network admits exactly what its VPNs advertise to it —
 * each side advertises only its own network's prefix (components/interconnect).
 */
import type { Fleet, RoleConfig, StackSpec } from "../automation/fleet";
import { upstreamOf } from "../automation/fleet";
import { networkCidr } from "../components/network/ipam";

export function peerNetworkCidrs(fleet: Fleet, foundation: StackSpec): string[] {
  const cloud = foundation.clouds[0];
  const peers = new Set<string>();
  for (const ic of fleet.stacks.values()) {
    if (ic.role !== "interconnect" || ic.domain !== foundation.domain || cloud === undefined || !ic.clouds.includes(cloud)) continue;
    const ends = upstreamOf(fleet, ic).foundations;
    if (ends[cloud] !== foundation.name) continue;
    for (const other of ic.clouds.filter((c) => c !== cloud)) {
      const peer = ends[other] === undefined ? undefined : fleet.stacks.get(ends[other]);
      if (peer === undefined || peer.domain !== foundation.domain) continue;
      const net = (peer.config as RoleConfig<"foundation">)["meridian:network"];
      peers.add(networkCidr(fleet.settings.ipam, peer.domain, net.slot, net.cidr));
    }
  }
  return [...peers].sort();
}
