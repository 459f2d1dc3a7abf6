package account

// Permission is a kind of work on the site that only some roles may do.
// The web pages and the API both ask the one table below, so a role may
// do the same things whichever way it comes in.
type Permission string

// Permissions.
const (
	// ViewDashboard: the newsroom's dashboard at /admin.
	ViewDashboard Permission = "view the dashboard"
	// WriteStories: open the newsroom, list stories and draft them;
	// without EditStories, only one's own stories and drafts.
	WriteStories Permission = "write stories"
	// EditStories: list and edit every story, other people's drafts
	// included.
	EditStories Permission = "edit every story"
	// PublishStories: publish, schedule, unpublish and correct.
	PublishStories Permission = "publish stories"
	// UploadImages: add images to the library.
	UploadImages Permission = "upload images"
	// ModerateComments: work the comment queues.
	ModerateComments Permission = "moderate comments"
	// SetCommentRules: the comment settings, the comment policy and a
	// story's comment mode.
	SetCommentRules Permission = "set comment rules"
	// ReadModerationLog: the log of every moderator's actions.
	ReadModerationLog Permission = "read the moderation log"
	// CurateSite: the front page, sections and authors.
	CurateSite Permission = "curate the site"
	// RunSite: plans and subscribers.
	RunSite Permission = "run the site"
)

// permissions is the table: the roles that may do each thing.
var permissions = map[Permission][]Role{
	ViewDashboard:     {Writer, Editor, Moderator, Admin},
	WriteStories:      {Writer, Editor, Admin},
	EditStories:       {Editor, Admin},
	PublishStories:    {Editor, Admin},
	UploadImages:      {Writer, Editor, Admin},
	ModerateComments:  {Editor, Moderator, Admin},
	SetCommentRules:   {Editor, Admin},
	ReadModerationLog: {Admin},
	CurateSite:        {Editor, Admin},
	RunSite:           {Admin},
}

// Permissions lists every permission.
func Permissions() []Permission {
	return []Permission{ViewDashboard, WriteStories, EditStories, PublishStories, UploadImages,
		ModerateComments, SetCommentRules, ReadModerationLog, CurateSite, RunSite}
}

// Can reports whether the role may do p.
func (r Role) Can(p Permission) bool {
	for _, allowed := range permissions[p] {
		if r == allowed {
			return true
		}
	}
	return false
}

// Can reports whether u may do p; nobody signed in may do nothing.
func (u *User) Can(p Permission) bool { return u != nil && u.Role.Can(p) }
