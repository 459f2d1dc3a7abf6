package account

import "net/netip"

// NetworkOf returns the part of an IP address that per-IP limits count:
// the whole of an IPv4 address, and the /64 network of an IPv6 address,
// since one subscriber line is usually handed a whole /64 and could
// otherwise take a fresh address for every try. An IPv4 address written
// in IPv6 form counts as the IPv4 address. Anything that is not an
// address is returned as it is.
func NetworkOf(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	prefix, err := addr.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return prefix.String()
}

// throttleKey is the key under which the per-IP limit of action counts
// the client's requests.
func (c Client) throttleKey(action string) string {
	return action + ":ip:" + NetworkOf(c.IP)
}
