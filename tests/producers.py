"""Old feeds in the shapes real producers write them, for the import tests. They are written
here after each producer's own template (WordPress's feed-rss2.php, feed-atom.php and
export.php; Ghost's RSS, made by the `rss` package; Hugo's embedded rss.xml; jekyll-feed's
feed.xml; JSON Feed 1.1; RSS 1.0; Movable Type's RSS and Atom, whose ids differ), with the
ways of reading them back as readers do and of importing them."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import feedparser

from conftest import DATA, called, valid
from feedpub import importer
from feedpub.importer.elements import html_text

NEW_SITE = importer.NEW_SITE
"""The line that says what a new catalogue's site block guessed (tested on its own)."""
NEW_YORK = timezone(timedelta(hours=-5))
PARIS = timezone(timedelta(hours=1))


@dataclass
class Post:
    number: int
    slug: str
    title: str
    """The title as a reader shows it."""
    date: datetime
    tags: list[str]
    content: str
    author: str = "Jane Doe"
    updated: datetime | None = None
    enclosure: tuple[str, int, str] | None = None
    status: str = "publish"
    extra: dict[str, str] = field(default_factory=dict)

    def link(self, site: str = "https://blog.example.org") -> str:
        return f"{site}/{self.date:%Y/%m/%d}/{self.slug}/"


POSTS = [
    Post(
        12,
        "hello-world",
        "It\u2019s \u201chere\u201d & now",
        datetime(2023, 12, 7, 10, 0, tzinfo=NEW_YORK),
        ["News", "Gaza"],
        '<p>Welcome. See <a href="/about/">about</a>, and <img src="uploads/map.jpg" alt="A map"></p>\n'
        "<p>Second paragraph.</p>",
        updated=datetime(2023, 12, 8, 9, 30, tzinfo=NEW_YORK),
        enclosure=("https://media.example.org/episode-1.mp3", 12345678, "audio/mpeg"),
    ),
    Post(
        15,
        "cafe-society",
        "Café society & its <discontents>",
        datetime(2023, 11, 20, 8, 30, tzinfo=PARIS),
        ["Culture"],
        '<p>Ünïcödé text with <em>emphasis</em> and a <a href="../other/">relative link</a>.</p>',
        author="Jean Dupont",
    ),
    Post(
        21,
        "numbers-2024",
        "Numbers: 2024 in review",
        datetime(2024, 1, 2, 0, 0, tzinfo=UTC),
        ["Data", "News"],
        "<ul><li>One</li><li>Two</li></ul><script>alert('old feed')</script>",
    ),
]


def rfc822(moment: datetime, gmt: bool = False) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True) if gmt else format_datetime(moment)


def zulu(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def wp_title(text: str) -> str:
    """A title as WordPress's the_title_rss writes it: texturized, entities as numeric references."""
    out = text.replace("&", "&#038;").replace("<", "&lt;").replace(">", "&gt;")
    return out.replace("\u2019", "&#8217;").replace("\u201c", "&#8220;").replace("\u201d", "&#8221;")


# -- the producers ------------------------------------------------------------------------------


def wordpress_rss(posts: list[Post], *, self_url: str = "https://blog.example.org/feed/") -> str:
    items = "".join(
        f"""
	<item>
		<title>{wp_title(p.title)}</title>
		<link>{p.link()}</link>
		<comments>{p.link()}#respond</comments>
		<dc:creator>{cdata(p.author)}</dc:creator>
		<pubDate>{p.date.astimezone(UTC):%a, %d %b %Y %H:%M:%S} +0000</pubDate>
		{"".join(f"<category>{cdata(t)}</category>" for t in p.tags)}

		<guid isPermaLink="false">https://blog.example.org/?p={p.number}</guid>
		<description>{cdata(html_text(p.content)[:40] + " [&#8230;]")}</description>
		<content:encoded>{cdata(p.content)}</content:encoded>
		<wfw:commentRss>{p.link()}feed/</wfw:commentRss>
		<slash:comments>0</slash:comments>
{f'		<enclosure url="{p.enclosure[0]}" length="{p.enclosure[1]}" type="{p.enclosure[2]}" />' if p.enclosure else ""}
	</item>"""
        for p in posts
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>

<channel>
	<title>Example Blog</title>
	<atom:link href="{self_url}" rel="self" type="application/rss+xml" />
	<link>https://blog.example.org</link>
	<description>Just another WordPress site</description>
	<lastBuildDate>Mon, 08 Jan 2024 10:00:00 +0000</lastBuildDate>
	<language>en-US</language>
	<sy:updatePeriod>
	hourly	</sy:updatePeriod>
	<sy:updateFrequency>
	1	</sy:updateFrequency>
	<generator>https://wordpress.org/?v=6.4.2</generator>
{items}
	</channel>
</rss>
"""


def wordpress_atom(posts: list[Post]) -> str:
    entries = "".join(
        f"""
	<entry>
		<author>
			<name>{html.escape(p.author)}</name>
					</author>

		<title type="html">{cdata(wp_title(p.title))}</title>
		<link rel="alternate" type="text/html" href="{p.link()}" />

		<id>https://blog.example.org/?p={p.number}</id>
		<updated>{zulu(p.updated or p.date)}</updated>
		<published>{zulu(p.date)}</published>
		{"".join(f'<category scheme="https://blog.example.org" term="{html.escape(t)}" />' for t in p.tags)}

		<summary type="html">{cdata(html_text(p.content)[:40] + " [&#8230;]")}</summary>

					<content type="html" xml:base="{p.link()}">{cdata(p.content)}</content>

		<link rel="replies" type="text/html" href="{p.link()}#comments" thr:count="0" />
			<link rel="replies" type="application/atom+xml" href="{p.link()}feed/atom/" thr:count="0" />
			<thr:total>0</thr:total>
			</entry>"""
        for p in posts
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?><feed
	xmlns="http://www.w3.org/2005/Atom"
	xmlns:thr="http://purl.org/syndication/thread/1.0"
	xml:lang="en-US"
	xml:base="https://blog.example.org/wp-atom.php"
	>
	<title type="text">Example Blog</title>
	<subtitle type="text">Just another WordPress site</subtitle>

	<updated>2024-01-08T10:00:00Z</updated>

	<link rel="alternate" type="text/html" href="https://blog.example.org" />
	<id>https://blog.example.org/feed/atom/</id>
	<link rel="self" type="application/atom+xml" href="https://blog.example.org/feed/atom/" />

	<generator uri="https://wordpress.org/" version="6.4.2">WordPress</generator>
{entries}
</feed>
"""


def ghost_rss(posts: list[Post]) -> str:
    """Ghost writes RSS 2.0 only (through the `rss` package): CDATA everywhere, its own post
    ids (24 hexadecimal digits) as guids, the feature image as media:content."""
    items = "".join(
        f"<item><title>{cdata(p.title)}</title><description>{cdata(html_text(p.content)[:50])}</description>"
        f"<link>https://ghost.example.org/{p.slug}/</link>"
        f'<guid isPermaLink="false">65{p.number:022x}</guid>'
        + "".join(f"<category>{cdata(t)}</category>" for t in p.tags)
        + f"<dc:creator>{cdata(p.author)}</dc:creator><pubDate>{rfc822(p.date, gmt=True)}</pubDate>"
        f'<media:content url="https://ghost.example.org/content/images/{p.slug}.jpg" medium="image"/>'
        f"<content:encoded>{cdata(p.content)}</content:encoded></item>"
        for p in posts
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" '
        'version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title><![CDATA[Ghost Notes]]></title>'
        "<description><![CDATA[Thoughts, stories and ideas.]]></description><link>https://ghost.example.org/</link>"
        "<image><url>https://ghost.example.org/favicon.png</url><title>Ghost Notes</title>"
        "<link>https://ghost.example.org/</link></image><generator>Ghost 5.75</generator>"
        "<lastBuildDate>Mon, 08 Jan 2024 10:00:00 GMT</lastBuildDate>"
        '<atom:link href="https://ghost.example.org/rss/" rel="self" type="application/rss+xml"/>'
        f"<ttl>60</ttl>{items}</channel></rss>"
    )


def hugo_rss(posts: list[Post]) -> str:
    """Hugo's embedded rss.xml: the permalink as guid (a permalink, by RSS's default), the
    summary escaped into description, dates with the page's own offset."""
    items = "".join(
        f"""
    <item>
      <title>{html.escape(p.title).replace("&#x27;", "&#39;")}</title>
      <link>https://hugo.example.org/posts/{p.slug}/</link>
      <pubDate>{p.date:%a, %d %b %Y %H:%M:%S %z}</pubDate>
      <author>jane@example.org (Jane Doe)</author>
      <guid>https://hugo.example.org/posts/{p.slug}/</guid>
      <description>{html.escape(p.content, quote=False)}</description>
    </item>"""
        for p in posts
    )
    return f"""<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Hugo Site</title>
    <link>https://hugo.example.org/</link>
    <description>Recent content on Hugo Site</description>
    <generator>Hugo -- gohugo.io</generator>
    <language>en-us</language>
    <managingEditor>jane@example.org (Jane Doe)</managingEditor>
    <webMaster>jane@example.org (Jane Doe)</webMaster>
    <lastBuildDate>Tue, 02 Jan 2024 00:00:00 +0000</lastBuildDate><atom:link href="https://hugo.example.org/index.xml" rel="self" type="application/rss+xml" />{items}
  </channel>
</rss>
"""


def jekyll_atom(posts: list[Post]) -> str:
    """jekyll-feed's feed.xml: the post's id (its URL without .html) as Atom id, HTML titles."""
    entries = "".join(
        f"""
    <entry>
      <title type="html">{html.escape(html.escape(p.title, quote=False), quote=False)}</title>
      <link href="https://jekyll.example.org{p.date:/%Y/%m/%d}/{p.slug}.html" rel="alternate" type="text/html" title="{html.escape(p.title)}" />
      <published>{p.date.isoformat()}</published>
      <updated>{(p.updated or p.date).isoformat()}</updated>
      <id>https://jekyll.example.org{p.date:/%Y/%m/%d}/{p.slug}</id>
      <content type="html" xml:base="https://jekyll.example.org{p.date:/%Y/%m/%d}/{p.slug}.html">{html.escape(p.content, quote=False)}</content>
      <author>
          <name>{html.escape(p.author)}</name>
      </author>
      {"".join(f'<category term="{html.escape(t)}" />' for t in p.tags)}
      <summary type="html">{html.escape(html_text(p.content)[:60], quote=False)}</summary>
      <media:content xmlns:media="http://search.yahoo.com/mrss/" url="https://jekyll.example.org/assets/{p.slug}.png" medium="image" />
    </entry>"""
        for p in posts
    )
    return f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <generator uri="https://jekyllrb.com/" version="4.3.3">Jekyll</generator>
  <link href="https://jekyll.example.org/feed.xml" rel="self" type="application/atom+xml" />
  <link href="https://jekyll.example.org/" rel="alternate" type="text/html" hreflang="en" />
  <updated>2024-01-08T10:00:00+00:00</updated>
  <id>https://jekyll.example.org/feed.xml</id>
  <title type="html">Jekyll Journal</title>
  <subtitle>Notes written with Jekyll.</subtitle>
  <author>
      <name>Jane Doe</name>
  </author>{entries}
</feed>
"""


def json_feed(posts: list[Post]) -> str:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "JSON Journal",
            "home_page_url": "https://json.example.org/",
            "feed_url": "https://json.example.org/feed.json",
            "description": "A journal in JSON Feed.",
            "language": "en",
            "authors": [{"name": "Jane Doe", "url": "https://json.example.org/about/"}],
            "items": [
                {
                    "id": f"https://json.example.org/{p.number}",
                    "url": f"https://json.example.org/{p.date:%Y}/{p.slug}",
                    "title": p.title,
                    "content_html": p.content,
                    "summary": html_text(p.content)[:60],
                    "date_published": p.date.isoformat(),
                    **({"date_modified": p.updated.isoformat()} if p.updated else {}),
                    "authors": [{"name": p.author}],
                    "tags": p.tags,
                    **(
                        {
                            "attachments": [
                                {
                                    "url": p.enclosure[0],
                                    "mime_type": p.enclosure[2],
                                    "size_in_bytes": p.enclosure[1],
                                }
                            ]
                        }
                        if p.enclosure
                        else {}
                    ),
                }
                for p in posts
            ],
        },
        indent=2,
        ensure_ascii=False,
    )


def rss1(posts: list[Post]) -> str:
    """RSS 1.0: RDF, items beside the channel, rdf:about as each item's identity."""
    items = "".join(
        f"""
  <item rdf:about="https://rdf.example.org/{p.slug}">
    <title>{html.escape(p.title, quote=False)}</title>
    <link>https://rdf.example.org/{p.slug}</link>
    <description>{html.escape(p.content, quote=False)}</description>
    <dc:date>{p.date.isoformat()}</dc:date>
    <dc:creator>{html.escape(p.author)}</dc:creator>
    {"".join(f"<dc:subject>{html.escape(t)}</dc:subject>" for t in p.tags)}
  </item>"""
        for p in posts
    )
    about = "".join(f'<rdf:li rdf:resource="https://rdf.example.org/{p.slug}"/>' for p in posts)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example.org/index.rdf">
    <title>RDF Site</title>
    <link>https://rdf.example.org/</link>
    <description>An RSS 1.0 channel.</description>
    <dc:language>en</dc:language>
    <items><rdf:Seq>{about}</rdf:Seq></items>
  </channel>{items}
</rdf:RDF>
"""


def plain_rss(posts: list[Post]) -> str:
    """RSS 2.0 without guids, as hand-made and older feeds are: readers know items by link."""
    items = "".join(
        f"""
    <item>
      <title>{html.escape(p.title, quote=False)}</title>
      <link>https://plain.example.org/{p.slug}.html</link>
      <description>{html.escape(p.content, quote=False)}</description>
      <pubDate>{rfc822(p.date)}</pubDate>
      <category domain="https://plain.example.org/topics">{html.escape(p.tags[0])}</category>
    </item>"""
        for p in posts
    )
    return f"""<?xml version="1.0" encoding="iso-8859-1"?>
<rss version="2.0"><channel><title>Plain Pages</title><link>https://plain.example.org/</link>
<description>Hand-written RSS.</description><managingEditor>ed@plain.example.org (The Editor)</managingEditor>{items}
</channel></rss>
"""


def movable_type_rss(posts: list[Post]) -> str:
    """Movable Type's RSS 2.0 template: guids of '<entry id>@<blog URL>', not permalinks."""
    items = "".join(
        f"""
<item>
<title>{html.escape(p.title, quote=False)}</title>
<description>{cdata(p.content)}</description>
<link>https://mt.example.org/{p.date:%Y/%m}/{p.slug}.html</link>
<guid isPermaLink="false">{p.number}@https://mt.example.org/</guid>
{"".join(f"<category>{html.escape(t)}</category>" for t in p.tags)}
<pubDate>{rfc822(p.date)}</pubDate>
</item>"""
        for p in posts
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>MT Weblog</title>
<link>https://mt.example.org/</link>
<description>A Movable Type weblog.</description>
<language>en</language>
<generator>http://www.sixapart.com/movabletype/</generator>
<docs>http://www.rssboard.org/rss-specification</docs>{items}
</channel>
</rss>
"""


def movable_type_atom(posts: list[Post]) -> str:
    """Movable Type's Atom template: tag: URIs as ids, which its RSS does not use."""
    entries = "".join(
        f"""
<entry>
    <title>{html.escape(p.title, quote=False)}</title>
    <link rel="alternate" type="text/html" href="https://mt.example.org/{p.date:%Y/%m}/{p.slug}.html" />
    <id>tag:mt.example.org,{p.date:%Y}:/weblog//1.{p.number}</id>
    <published>{p.date.isoformat()}</published>
    <updated>{(p.updated or p.date).isoformat()}</updated>
    <summary>{html.escape(html_text(p.content)[:50], quote=False)}</summary>
    <author><name>{html.escape(p.author)}</name></author>
    {"".join(f'<category term="{html.escape(t)}" scheme="http://www.sixapart.com/ns/types#category" />' for t in p.tags)}
    <content type="html" xml:lang="en" xml:base="https://mt.example.org/">{html.escape(p.content, quote=False)}</content>
</entry>"""
        for p in posts
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
    <title>MT Weblog</title>
    <link rel="alternate" type="text/html" href="https://mt.example.org/" />
    <link rel="self" type="application/atom+xml" href="https://mt.example.org/atom.xml" />
    <id>tag:mt.example.org,2003:/weblog//1</id>
    <updated>2024-01-08T10:00:00Z</updated>
    <subtitle>A Movable Type weblog.</subtitle>
    <generator uri="http://www.sixapart.com/movabletype/">Movable Type 7</generator>{entries}
</feed>
"""


def wxr(posts: list[Post], others: str = "") -> str:
    """A WordPress export (WXR 1.2), as Tools → Export writes it."""
    items = []
    for p in posts:
        local = p.date.strftime("%Y-%m-%d %H:%M:%S")
        gmt = (
            p.date.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            if p.status not in ("draft", "pending", "no-date")
            else "0000-00-00 00:00:00"
        )
        status = "draft" if p.status == "no-date" else p.status
        link = p.link() if status == "publish" else f"https://blog.example.org/?p={p.number}"
        categories = "".join(
            f'<category domain="{"category" if i == 0 else "post_tag"}" nicename="{t.lower()}">{cdata(t)}</category>\n\t\t'
            for i, t in enumerate(p.tags)
        )
        meta = "".join(
            f"<wp:postmeta>\n\t\t\t<wp:meta_key>{cdata(k)}</wp:meta_key>\n\t\t\t<wp:meta_value>{cdata(v)}</wp:meta_value>\n\t\t</wp:postmeta>\n\t\t"
            for k, v in p.extra.items()
            if k != "post_password"
        )
        items.append(
            f"""
	<item>
		<title><![CDATA[{p.title}]]></title>
		<link>{link}</link>
		<pubDate>{rfc822(p.date, gmt=True) if gmt[0] != "0" else "Mon, 30 Nov -0001 00:00:00 +0000"}</pubDate>
		<dc:creator><![CDATA[{p.author.split()[0].lower()}]]></dc:creator>
		<guid isPermaLink="false">https://blog.example.org/?p={p.number}</guid>
		<description></description>
		<content:encoded>{cdata(p.content)}</content:encoded>
		<excerpt:encoded><![CDATA[]]></excerpt:encoded>
		<wp:post_id>{p.number}</wp:post_id>
		<wp:post_date><![CDATA[{local}]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[{gmt}]]></wp:post_date_gmt>
		<wp:post_modified><![CDATA[{local}]]></wp:post_modified>
		<wp:post_modified_gmt><![CDATA[{gmt}]]></wp:post_modified_gmt>
		<wp:comment_status><![CDATA[open]]></wp:comment_status>
		<wp:ping_status><![CDATA[open]]></wp:ping_status>
		<wp:post_name><![CDATA[{p.slug}]]></wp:post_name>
		<wp:status><![CDATA[{status}]]></wp:status>
		<wp:post_parent>0</wp:post_parent>
		<wp:menu_order>0</wp:menu_order>
		<wp:post_type><![CDATA[post]]></wp:post_type>
		<wp:post_password><![CDATA[{p.extra.get("post_password", "")}]]></wp:post_password>
		<wp:is_sticky>0</wp:is_sticky>
		{categories}{meta}
	</item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<!-- This is a WordPress eXtended RSS file generated by WordPress as an export of your site. -->
<!-- It contains information about your site's posts, pages, comments, categories, and other content. -->
<!-- generator="WordPress/6.4.2" created="2024-01-08 10:00" -->
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>

<channel>
	<title>Example Blog</title>
	<link>https://blog.example.org</link>
	<description>Just another WordPress site</description>
	<pubDate>Mon, 08 Jan 2024 10:00:00 +0000</pubDate>
	<language>en-US</language>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://blog.example.org</wp:base_site_url>
	<wp:base_blog_url>https://blog.example.org</wp:base_blog_url>

	<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[jane]]></wp:author_login><wp:author_email><![CDATA[jane@private.example.org]]></wp:author_email><wp:author_display_name><![CDATA[Jane Doe]]></wp:author_display_name><wp:author_first_name><![CDATA[Jane]]></wp:author_first_name><wp:author_last_name><![CDATA[Doe]]></wp:author_last_name></wp:author>
	<wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[jean]]></wp:author_login><wp:author_email><![CDATA[jean@private.example.org]]></wp:author_email><wp:author_display_name><![CDATA[Jean Dupont]]></wp:author_display_name><wp:author_first_name><![CDATA[]]></wp:author_first_name><wp:author_last_name><![CDATA[]]></wp:author_last_name></wp:author>

	<generator>https://wordpress.org/?v=6.4.2</generator>
{"".join(items)}{others}
</channel>
</rss>
"""


WXR_OTHERS = (DATA / "wordpress" / "export-others.xml").read_text(encoding="utf-8")
"""The items of a WordPress export that are not posts: a page, an attachment, a menu item."""


# -- reading feeds back as readers do -----------------------------------------------------------


def seen(data: bytes | str, json_feed: bool = False) -> list[tuple[str, str, str, tuple[int, ...]]]:
    """(id, title as text, link, published in UTC) of each entry, as a reader reads them: the
    id is what readers know an entry by (its id, else its link)."""
    if json_feed:
        items = json.loads(data)["items"]
        return sorted(
            (
                str(item["id"]),
                html_text(item["title"]),
                item["url"],
                datetime.fromisoformat(item["date_published"]).astimezone(UTC).timetuple()[:6],
            )
            for item in items
        )
    parsed = feedparser.parse(data)
    return sorted(
        (
            entry.get("id") or entry.link,
            html_text(entry.title)
            if entry.title_detail.type == "text/html"
            else " ".join(entry.title.split()),
            entry.link,
            tuple((entry.get("published_parsed") or entry.updated_parsed)[:6]),
        )
        for entry in parsed.entries
    )


# what each producer's old feeds are: {file: text}, and which new feed readers of each see
SITES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "WordPress RSS": ({"feed.xml": wordpress_rss(POSTS)}, {"feed.xml": "rss.xml"}),
    "WordPress Atom": ({"atom.xml": wordpress_atom(POSTS)}, {"atom.xml": "atom.xml"}),
    "WordPress RSS and Atom": (
        {"feed.xml": wordpress_rss(POSTS), "atom.xml": wordpress_atom(POSTS)},
        {"feed.xml": "rss.xml", "atom.xml": "atom.xml"},
    ),
    "Ghost RSS": ({"rss.xml": ghost_rss(POSTS)}, {"rss.xml": "rss.xml"}),
    "Hugo RSS": ({"index.xml": hugo_rss(POSTS)}, {"index.xml": "rss.xml"}),
    "jekyll-feed Atom": ({"feed.xml": jekyll_atom(POSTS)}, {"feed.xml": "atom.xml"}),
    "JSON Feed": ({"feed.json": json_feed(POSTS)}, {"feed.json": "feed.json"}),
    "RSS 1.0": ({"index.rdf": rss1(POSTS)}, {"index.rdf": "rss.xml"}),
    "RSS without guids": ({"rss.xml": plain_rss(POSTS)}, {"rss.xml": "rss.xml"}),
    "Movable Type RSS and Atom": (
        {"index.xml": movable_type_rss(POSTS), "atom.xml": movable_type_atom(POSTS)},
        {"index.xml": "rss.xml", "atom.xml": "atom.xml"},
    ),
}


def write(folder: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        encoding = "iso-8859-1" if 'encoding="iso-8859-1"' in text else "utf-8"
        (folder / name).write_bytes(text.encode(encoding, "xmlcharrefreplace"))
    return list(files)


def imported(folder: Path, *sources: str, catalogue: str = "articles.yaml") -> Any:
    return called("import", "--catalogue", catalogue, *sources, cwd=folder)


def small_rss(*items: str, channel_title: str = "D") -> str:
    """An RSS feed of `items`, each (title, pubDate, more XML)."""
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{channel_title}</title>\n'
        "<link>https://ex.org/</link><description>d</description>\n" + "".join(items) + "</channel></rss>\n"
    )


def small_item(n: int, date: str = "Mon, 04 Dec 2023 10:00:00 +0000", more: str = "", title: str = "") -> str:
    return (
        f"<item><title>{title or f'Item {n}'}</title><link>https://ex.org/{n}</link>"
        f"<pubDate>{date}</pubDate>{more}</item>\n"
    )


def import_here(tmp_path: Path, name: str, document: str) -> tuple[importer.Outcome, list[str], str]:
    """Import `document` in this process: the outcome, the lines said, the catalogue's text."""
    (tmp_path / name).write_text(document, encoding="utf-8")
    said: list[str] = []
    outcome = importer.run([str(tmp_path / name)], tmp_path / "articles.yaml", said.append)
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    valid(text)
    return (
        outcome,
        [line.replace(str(tmp_path) + "/", "") for line in said if not line.startswith(NEW_SITE)],
        text,
    )


def many_posts(count: int) -> list[Post]:
    start = datetime(2023, 1, 1, 12, 0, tzinfo=UTC)
    return [
        Post(
            100 + n,
            f"post-{n}",
            f"Post number {n}",
            start + timedelta(days=n),
            ["Archive"],
            f"<p>Text {n}.</p>",
        )
        for n in range(count)
    ]
