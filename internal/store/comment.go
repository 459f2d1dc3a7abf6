package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"dateline/internal/comment"
	"dateline/internal/mail"
	"dateline/internal/story"
)

// The store implements what comments need of it.
var _ comment.Store = (*Store)(nil)

const commentColumns = `c.id, c.story_id, COALESCE(c.user_id, 0), COALESCE(c.parent_id, 0), COALESCE(c.reply_to_id, 0),
	c.depth, c.body, c.status, c.held_reason, c.staff, c.featured, c.recommends, c.created_at, c.edited_at,
	COALESCE(u.display_name, '')`

func scanComment(row scanner, c *comment.Comment, extra ...any) error {
	var status string
	var edited sql.NullTime
	dest := []any{&c.ID, &c.StoryID, &c.UserID, &c.ParentID, &c.ReplyToID, &c.Depth, &c.Body, &status,
		&c.HeldReason, &c.Staff, &c.Featured, &c.Recommends, &c.CreatedAt, &edited, &c.AuthorName}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	c.Status, c.CreatedAt, c.EditedAt = comment.Status(status), c.CreatedAt.UTC(), timeOf(edited)
	return nil
}

// StoryComments loads a story's comments, oldest first, except rejected
// ones, each marked when viewerID recommends it.
func (s *Store) StoryComments(ctx context.Context, storyID, viewerID int64) ([]*comment.Comment, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+commentColumns+`,
		EXISTS (SELECT 1 FROM comment_recommendations r WHERE r.comment_id = c.id AND r.user_id = ?)
		FROM comments c LEFT JOIN users u ON u.id = c.user_id
		WHERE c.story_id = ? AND c.status <> 'rejected' ORDER BY c.created_at, c.id`, viewerID, storyID)
	if err != nil {
		return nil, fmt.Errorf("store: story comments: %w", err)
	}
	defer rows.Close()
	var out []*comment.Comment
	for rows.Next() {
		c := &comment.Comment{}
		if err := scanComment(rows, c, &c.Recommended); err != nil {
			return nil, fmt.Errorf("store: story comments: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: story comments: %w", err)
	}
	return out, nil
}

// Recommendations lists who recommended which of a story's comments: the
// comment ids each reader recommended, by reader.
func (s *Store) Recommendations(ctx context.Context, storyID int64) (map[int64][]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT r.user_id, r.comment_id FROM comment_recommendations r
		JOIN comments c ON c.id = r.comment_id WHERE c.story_id = ?`, storyID)
	if err != nil {
		return nil, fmt.Errorf("store: recommendations: %w", err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var user, id int64
		if err := rows.Scan(&user, &id); err != nil {
			return nil, fmt.Errorf("store: recommendations: %w", err)
		}
		out[user] = append(out[user], id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: recommendations: %w", err)
	}
	return out, nil
}

// CommentByID finds a comment.
func (s *Store) CommentByID(ctx context.Context, id int64) (*comment.Comment, error) {
	var c comment.Comment
	err := scanComment(s.write.QueryRowContext(ctx, `SELECT `+commentColumns+`
		FROM comments c LEFT JOIN users u ON u.id = c.user_id WHERE c.id = ?`, id), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: comment %d: %w", id, comment.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: comment %d: %w", id, err)
	}
	return &c, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// InsertComment stores a new comment, and the email about it, together.
func (s *Store) InsertComment(ctx context.Context, c *comment.Comment, notify *mail.Message) error {
	insert := func(db rowQueryer) error {
		return db.QueryRowContext(ctx, `INSERT INTO comments
			(story_id, user_id, parent_id, reply_to_id, depth, body, status, held_reason, staff, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.StoryID, nullID(c.UserID), nullID(c.ParentID), nullID(c.ReplyToID), c.Depth, c.Body, string(c.Status),
			c.HeldReason, c.Staff, utc(c.CreatedAt)).Scan(&c.ID)
	}
	var err error
	if notify == nil {
		err = insert(s.write) // one statement commits alone
	} else {
		err = s.inTx(ctx, func(tx *txn) error {
			if err := insert(tx); err != nil {
				return err
			}
			return s.enqueueTx(ctx, tx, notify)
		})
	}
	if err != nil {
		return fmt.Errorf("store: insert comment: %w", err)
	}
	return nil
}

// EditComment replaces a comment's text.
func (s *Store) EditComment(ctx context.Context, id int64, body string, status comment.Status, heldReason string, at time.Time) error {
	return s.execOneComment(ctx, "edit comment", `UPDATE comments SET body = ?, status = ?, held_reason = ?, edited_at = ? WHERE id = ?`,
		body, string(status), heldReason, utc(at), id)
}

func (s *Store) execOneComment(ctx context.Context, what, query string, args ...any) error {
	res, err := s.write.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: %s: %w", what, comment.ErrNotFound)
	}
	return nil
}

// logTx writes a moderation log entry inside tx and, when notify is not
// nil, queues the email that tells the commenter, so that the action, its
// record and its notice commit or roll back together.
func (s *Store) logTx(ctx context.Context, tx *txn, e comment.LogEntry, notify *mail.Message) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO moderation_log (actor_id, action, comment_id, user_id, reason, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, nullID(e.ActorID), e.Action, nullID(e.CommentID), nullID(e.UserID), e.Reason, utc(e.At)); err != nil {
		return err
	}
	if notify != nil {
		return s.enqueueTx(ctx, tx, notify)
	}
	return nil
}

// SetCommentStatus moves a comment to a status (clearing its text when
// asked), closes its reports, logs the action and queues notify, together.
func (s *Store) SetCommentStatus(ctx context.Context, id int64, status comment.Status, clearBody bool, e comment.LogEntry, notify *mail.Message) error {
	err := s.inTx(ctx, func(tx *txn) error {
		query := `UPDATE comments SET status = ?, held_reason = '' WHERE id = ?`
		if clearBody {
			query = `UPDATE comments SET status = ?, held_reason = '', body = '', featured = ? WHERE id = ?`
		}
		args := []any{string(status), id}
		if clearBody {
			args = []any{string(status), false, id}
		}
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return comment.ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `UPDATE comment_reports SET resolved_at = ? WHERE comment_id = ? AND resolved_at IS NULL`,
			utc(e.At), id); err != nil {
			return err
		}
		return s.logTx(ctx, tx, e, notify)
	})
	if err != nil {
		return fmt.Errorf("store: set comment status: %w", err)
	}
	return nil
}

// SetFeatured marks or unmarks an editor's pick, logs it and queues
// notify.
func (s *Store) SetFeatured(ctx context.Context, id int64, featured bool, e comment.LogEntry, notify *mail.Message) error {
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE comments SET featured = ? WHERE id = ? AND status = 'published'`, featured, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return comment.ErrNotFound
		}
		return s.logTx(ctx, tx, e, notify)
	})
	if err != nil {
		return fmt.Errorf("store: set featured: %w", err)
	}
	return nil
}

// ToggleRecommend adds the user's recommendation, or takes it back, and
// reports whether it stands.
func (s *Store) ToggleRecommend(ctx context.Context, commentID, userID int64) (bool, error) {
	var on bool
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM comment_recommendations WHERE comment_id = ? AND user_id = ?`, commentID, userID)
		if err != nil {
			return err
		}
		delta := -1
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO comment_recommendations (comment_id, user_id) VALUES (?, ?)`, commentID, userID); err != nil {
				return err
			}
			delta, on = 1, true
		}
		_, err = tx.ExecContext(ctx, `UPDATE comments SET recommends = recommends + ? WHERE id = ?`, delta, commentID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: recommend: %w", err)
	}
	return on, nil
}

// Report records a reader's report of a comment, once per reader.
func (s *Store) Report(ctx context.Context, commentID, userID int64, reason comment.ReportReason, note string, at time.Time) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO comment_reports (comment_id, user_id, reason, note, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, commentID, userID, string(reason), note, utc(at))
	if err != nil {
		return fmt.Errorf("store: report comment: %w", err)
	}
	return nil
}

// RecentCommentCount counts a user's comments since a time.
func (s *Store) RecentCommentCount(ctx context.Context, userID int64, since time.Time) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM comments WHERE user_id = ? AND created_at >= ?`, userID, utc(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: recent comments: %w", err)
	}
	return n, nil
}

// SameCommentSince reports whether the user posted this text since a time.
func (s *Store) SameCommentSince(ctx context.Context, userID int64, body string, since time.Time) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM comments WHERE user_id = ? AND created_at >= ? AND body = ?`,
		userID, utc(since), body).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: same comment: %w", err)
	}
	return n > 0, nil
}

// ApprovedCount counts a user's published comments.
func (s *Store) ApprovedCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM comments WHERE user_id = ? AND status = 'published'`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: approved comments: %w", err)
	}
	return n, nil
}

// SuspensionOf returns a user's suspension; comment.ErrNotFound when none.
// Every subscriber's story page asks, so the answer is kept for a while
// (see readerCache).
func (s *Store) SuspensionOf(ctx context.Context, userID int64) (*comment.Suspension, error) {
	kept, ok, gen := s.readers.suspensions.Get(userID)
	if ok {
		if kept == nil {
			return nil, comment.ErrNotFound
		}
		cp := *kept
		return &cp, nil
	}
	sus := comment.Suspension{UserID: userID}
	var until sql.NullTime
	err := s.read.QueryRowContext(ctx, `SELECT until, reason FROM comment_suspensions WHERE user_id = ?`, userID).Scan(&until, &sus.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		s.readers.suspensions.Put(userID, nil, gen)
		return nil, comment.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: suspension: %w", err)
	}
	sus.Until = timeOf(until)
	cp := sus
	s.readers.suspensions.Put(userID, &cp, gen)
	return &sus, nil
}

// Suspend records a suspension, logs it and queues the email, together.
func (s *Store) Suspend(ctx context.Context, sus *comment.Suspension, e comment.LogEntry, notify *mail.Message) error {
	err := s.changeReaders(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO comment_suspensions (user_id, until, reason, created_by, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET until = excluded.until, reason = excluded.reason,
			created_by = excluded.created_by, created_at = excluded.created_at`,
			sus.UserID, nullTime(sus.Until), sus.Reason, nullID(e.ActorID), utc(e.At)); err != nil {
			return err
		}
		return s.logTx(ctx, tx, e, notify)
	})
	if err != nil {
		return fmt.Errorf("store: suspend: %w", err)
	}
	return nil
}

// Unsuspend lifts a suspension and logs it.
func (s *Store) Unsuspend(ctx context.Context, userID int64, e comment.LogEntry) error {
	err := s.changeReaders(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM comment_suspensions WHERE user_id = ?`, userID); err != nil {
			return err
		}
		return s.logTx(ctx, tx, e, nil)
	})
	if err != nil {
		return fmt.Errorf("store: unsuspend: %w", err)
	}
	return nil
}

// Queue lists one tab of the moderators' queue, newest first.
func (s *Store) Queue(ctx context.Context, tab comment.QueueTab, limit int) ([]comment.QueueItem, error) {
	where := "c.status = 'published'"
	switch tab {
	case comment.TabReported:
		where = "c.status = 'published' AND EXISTS (SELECT 1 FROM comment_reports r WHERE r.comment_id = c.id AND r.resolved_at IS NULL)"
	case comment.TabHeld:
		where = "c.status = 'held'"
	}
	reasons := s.dialect.joinDistinct(`r.reason`)
	rows, err := s.read.QueryContext(ctx, `SELECT `+commentColumns+`, st.headline, st.slug, st.published_at,
		(SELECT COUNT(*) FROM comment_reports r WHERE r.comment_id = c.id AND r.resolved_at IS NULL),
		COALESCE((SELECT `+reasons+` FROM comment_reports r WHERE r.comment_id = c.id AND r.resolved_at IS NULL), '')
		FROM comments c LEFT JOIN users u ON u.id = c.user_id JOIN stories st ON st.id = c.story_id
		WHERE `+where+` ORDER BY c.created_at DESC, c.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: queue: %w", err)
	}
	defer rows.Close()
	var out []comment.QueueItem
	for rows.Next() {
		var q comment.QueueItem
		var slug string
		var published sql.NullTime
		if err := scanComment(rows, &q.Comment, &q.StoryHeadline, &slug, &published, &q.Reports, &q.ReportReasons); err != nil {
			return nil, fmt.Errorf("store: queue: %w", err)
		}
		q.StoryPath = story.Path(timeOf(published), slug)
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: queue: %w", err)
	}
	return out, nil
}

// ModerationLog lists recent moderation actions, newest first.
func (s *Store) ModerationLog(ctx context.Context, limit int) ([]comment.LogEntry, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT l.id, COALESCE(l.actor_id, 0), COALESCE(u.display_name, ''), l.action,
		COALESCE(l.comment_id, 0), COALESCE(l.user_id, 0), COALESCE(r.display_name, ''), l.reason, l.created_at
		FROM moderation_log l LEFT JOIN users u ON u.id = l.actor_id LEFT JOIN users r ON r.id = l.user_id
		ORDER BY l.created_at DESC, l.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: moderation log: %w", err)
	}
	defer rows.Close()
	var out []comment.LogEntry
	for rows.Next() {
		var e comment.LogEntry
		if err := rows.Scan(&e.ID, &e.ActorID, &e.ActorName, &e.Action, &e.CommentID, &e.UserID, &e.UserName, &e.Reason, &e.At); err != nil {
			return nil, fmt.Errorf("store: moderation log: %w", err)
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// SetNotifyReplies switches a user's comment emails.
func (s *Store) SetNotifyReplies(ctx context.Context, userID int64, on bool) error {
	return s.execOneComment(ctx, "set notify replies", `UPDATE users SET notify_replies = ? WHERE id = ?`, on, userID)
}

// NotifyReplies reports whether a user wants comment emails.
func (s *Store) NotifyReplies(ctx context.Context, userID int64) (bool, error) {
	var on bool
	err := s.read.QueryRowContext(ctx, `SELECT notify_replies FROM users WHERE id = ?`, userID).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: notify replies: %w", err)
	}
	return on, nil
}

// CommentCounts counts the published comments of each story.
func (s *Store) CommentCounts(ctx context.Context, storyIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(storyIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(storyIDs))
	for i, id := range storyIDs {
		args[i] = id
	}
	rows, err := s.read.QueryContext(ctx, `SELECT story_id, COUNT(*) FROM comments
		WHERE status = 'published' AND story_id IN (?`+strings.Repeat(", ?", len(storyIDs)-1)+`) GROUP BY story_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: comment counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("store: comment counts: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}
