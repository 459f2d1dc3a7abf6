package mail

import "crypto/tls"

// SetTLSConfigForTest makes s trust the test server's certificate.
func (s *SMTP) SetTLSConfigForTest(c *tls.Config) { s.tls = c }
