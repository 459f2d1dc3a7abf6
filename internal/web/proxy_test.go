package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddressBehindTrustedProxies(t *testing.T) {
	s := &Server{opts: Options{TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}}}
	for _, tc := range []struct {
		name, peer string
		forwarded  []string
		want       string
	}{
		{"no proxy", "203.0.113.9:4000", nil, "203.0.113.9"},
		{"a reader cannot choose their address", "203.0.113.9:4000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"behind the load balancer", "10.0.0.5:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a spoofed first hop is ignored", "10.0.0.5:4000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"through two trusted proxies", "10.0.0.5:4000", []string{"198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"headers sent twice are one list", "10.0.0.5:4000", []string{"1.2.3.4", "198.51.100.1"}, "198.51.100.1"},
		{"a garbled hop stops the walk", "10.0.0.5:4000", []string{"198.51.100.1, nonsense"}, "10.0.0.5"},
		{"no header from a proxy", "10.0.0.5:4000", nil, "10.0.0.5"},
		{"IPv6 proxy", "[2001:db8::1]:4000", []string{"2001:db8:ffff::9, 198.51.100.2"}, "198.51.100.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.forwarded {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := s.clientOf(r).IP; got != tc.want {
				t.Errorf("client address %q, want %q", got, tc.want)
			}
		})
	}
}
