package story

// PageFilter asks for one page of the newsroom's stories, whatever their
// status, newest first (by when each was first saved), each with
// everything a story is read with: body, bylines and tags. Paging goes by
// position, not by count, so stories saved between two pages neither
// repeat nor go missing.
type PageFilter struct {
	// Status keeps stories of this status; empty keeps all.
	Status Status
	// CreatedBy keeps the stories this member of staff created; 0 keeps all.
	CreatedBy int64
	// BeforeID continues after the story with this id: only older ones
	// are listed. 0 starts at the newest.
	BeforeID int64
	// Limit is the most stories listed.
	Limit int
}
