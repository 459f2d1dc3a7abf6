package web

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"dateline/internal/account"
	"dateline/internal/media/mediatest"
)

// noisePNG is a valid PNG that does not compress: about 3 bytes a pixel
// on disk.
func noisePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 0xFF
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// uploadForm is a multipart body with an image and its alt text.
func uploadForm(data []byte) (*bytes.Buffer, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "picture.png")
	fw.Write(data)
	mw.WriteField("alt", "Boats at the quay")
	mw.Close()
	return &body, mw.FormDataContentType()
}

// uploadClient sends image uploads through the images page, as an
// editor's browser does, and through the API with the editor's token.
type uploadClient struct {
	s      *accountSite
	editor *browser
	token  string
}

func newUploadClient(t *testing.T, s *accountSite) *uploadClient {
	editor := s.staff(t, "editor@example.com", account.Editor)
	u, err := s.db.UserByEmail(context.Background(), "editor@example.com")
	if err != nil {
		t.Fatal(err)
	}
	token, err := s.accounts.CreateAPIToken(context.Background(), u, "uploads")
	if err != nil {
		t.Fatal(err)
	}
	return &uploadClient{s: s, editor: editor, token: token}
}

// send posts body to path, announcing its length unless chunked.
func (c *uploadClient) send(path string, body *bytes.Buffer, contentType string, chunked bool) result {
	req := httptest.NewRequest(http.MethodPost, path, body)
	if chunked {
		req.Body, req.ContentLength = io.NopCloser(body), -1
	}
	req.Header.Set("Content-Type", contentType)
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+c.token)
	} else {
		for _, ck := range c.editor.cookies {
			req.AddCookie(ck)
		}
	}
	rec := httptest.NewRecorder()
	c.s.ServeHTTP(rec, req)
	out := result{response: response{Code: rec.Code, Header: rec.Result().Header, Body: rec.Body.String()}}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		out.Doc, _ = html.Parse(strings.NewReader(out.Body))
	}
	return out
}

// apiErrorOf reads an API error answer.
func apiErrorOf(t *testing.T, r result) apiError {
	t.Helper()
	var v map[string]apiError
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil || v["error"].Code == "" {
		t.Fatalf("not an API error: %d %.300s", r.Code, r.Body)
	}
	return v["error"]
}

func TestImageUploadsTakeTheirOwnBodyCap(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		c := newUploadClient(t, s)
		picture := noisePNG(t, 1000, 760)
		if len(picture) < 2<<20 {
			t.Fatalf("the test picture is only %d bytes", len(picture))
		}
		t.Run("a 2 MB image", func(t *testing.T) {
			for _, path := range []string{"/admin/images", "/api/v1/images"} {
				body, ct := uploadForm(picture)
				if r := c.send(path, body, ct, false); r.Code >= 300 && r.Code != http.StatusSeeOther {
					t.Errorf("POST %s = %d\n%.400s", path, r.Code, r.Body)
				}
			}
			if imgs, err := s.db.RecentImages(context.Background(), 10); err != nil || len(imgs) != 2 || imgs[0].Width != 1000 {
				t.Errorf("stored images: %+v, %v", imgs, err)
			}
		})
		thirteen := make([]byte, 13<<20)
		t.Run("a 13 MB body on the images page", func(t *testing.T) {
			for _, chunked := range []bool{false, true} {
				body, ct := uploadForm(thirteen)
				r := c.send("/admin/images", body, ct, chunked)
				if r.Code != http.StatusRequestEntityTooLarge || r.Doc == nil || !strings.Contains(text(r.Doc), "at most 12 MB") {
					t.Errorf("chunked %v: %d\n%.600s", chunked, r.Code, r.Body)
				}
			}
		})
		t.Run("a 13 MB body in the API", func(t *testing.T) {
			for _, chunked := range []bool{false, true} {
				body, ct := uploadForm(thirteen)
				r := c.send("/api/v1/images", body, ct, chunked)
				if e := apiErrorOf(t, r); r.Code != http.StatusRequestEntityTooLarge || e.Code != "too_large" || !strings.Contains(e.Message, "12 MB") {
					t.Errorf("chunked %v: %d %+v", chunked, r.Code, e)
				}
			}
		})
		t.Run("other routes keep 1 MB", func(t *testing.T) {
			body := bytes.NewBufferString("email=a%40example.com&password=" + strings.Repeat("x", 2<<20))
			r := c.send("/login", body, "application/x-www-form-urlencoded", false)
			if r.Code != http.StatusRequestEntityTooLarge || !strings.Contains(text(r.Doc), "at most 1 MB") {
				t.Errorf("a 2 MB log-in = %d", r.Code)
			}
			story := bytes.NewBufferString(`{"headline": "` + strings.Repeat("x", 2<<20) + `"}`)
			if r := c.send("/api/v1/stories", story, "application/json", false); r.Code != http.StatusRequestEntityTooLarge {
				t.Errorf("a 2 MB story in the API = %d", r.Code)
			} else if e := apiErrorOf(t, r); e.Code != "too_large" {
				t.Errorf("a 2 MB story in the API: %+v", e)
			}
		})
	})
}

// The file that took a server from 105 MB to 2.15 GB is refused with a
// message for whoever sent it, never a 500.
func TestUploadOfAnImageTooLargeToProcess(t *testing.T) {
	eachAccountSite(t, func(t *testing.T, s *accountSite) {
		c := newUploadClient(t, s)
		data := mediatest.UniformPNG(6000, 6600, 16)
		body, ct := uploadForm(data)
		r := c.send("/admin/images", body, ct, false)
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("images page = %d\n%.600s", r.Code, r.Body)
		}
		if _, _, e := fieldState(t, r.Doc, "file"); !strings.Contains(e, "too large to process: 6000 × 6600 pixels at 16 bits a channel") {
			t.Errorf("the file's error: %q", e)
		}
		if v, _, _ := fieldState(t, r.Doc, "alt"); v != "Boats at the quay" {
			t.Errorf("the alt text was not kept: %q", v)
		}
		body, ct = uploadForm(data)
		r = c.send("/api/v1/images", body, ct, false)
		if e := apiErrorOf(t, r); r.Code != http.StatusUnprocessableEntity || e.Field != "file" || !strings.Contains(e.Message, "16 bits a channel") {
			t.Errorf("API = %d %+v", r.Code, e)
		}
		if imgs, _ := s.db.RecentImages(context.Background(), 10); len(imgs) != 0 {
			t.Errorf("%d images stored", len(imgs))
		}
	})
}
