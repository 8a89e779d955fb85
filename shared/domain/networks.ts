/** Whether an address is in one of a store's networks (CIDR), with node's own BlockList. */
import { BlockList, isIP } from 'node:net';

/** `::ffff:203.0.113.7` (IPv4 seen through an IPv6 socket) is the IPv4 address it carries. */
const unmapped = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

export function networkMatcher(networks: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const network of networks) {
    const [address = '', prefix] = network.split('/');
    list.addSubnet(address, Number(prefix), isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
  return (raw) => {
    const address = unmapped(raw.trim());
    const family = isIP(address);
    if (networks.length === 0 || family === 0) return false;
    return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}
