package media

// Hold takes the library's turn as an image being processed would, until
// release is called.
func Hold(l *Library) (release func()) {
	l.busy <- struct{}{}
	return func() { <-l.busy }
}
