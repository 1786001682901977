"""`feedpub import`: old feeds in the shapes real producers write them, imported, built again by
feedpub, and read back: readers must see the same entries, with the same ids, titles, links and
dates. Fixtures are written here, after each producer's own template (WordPress's
feed-rss2.php, feed-atom.php and export.php; Ghost's RSS, made by the `rss` package; Hugo's
embedded rss.xml; jekyll-feed's feed.xml; JSON Feed 1.1; RSS 1.0; Movable Type's RSS and Atom,
whose ids differ)."""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import html
import http.client
import http.server
import json
import re
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any, ClassVar

import feedparser
import pytest

import conftest
from conftest import (
    SITE,
    article,
    built,
    called,
    catalogue_text,
    feedpub,
    free_port,
    nginx,
    shared,
    valid,
    watch_second_process,
)
from feedpub import importer
from feedpub.importer import fetch
from feedpub.importer.elements import html_text
from test_reader import run_newsboat

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


WXR_OTHERS = """
	<item>
		<title><![CDATA[About]]></title>
		<link>https://blog.example.org/about/</link>
		<guid isPermaLink="false">https://blog.example.org/?page_id=2</guid>
		<content:encoded><![CDATA[<p>About us.</p>]]></content:encoded>
		<wp:post_id>2</wp:post_id>
		<wp:post_date><![CDATA[2023-01-01 00:00:00]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[2023-01-01 05:00:00]]></wp:post_date_gmt>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_type><![CDATA[page]]></wp:post_type>
	</item>
	<item>
		<title><![CDATA[map]]></title>
		<link>https://blog.example.org/map/</link>
		<guid isPermaLink="false">https://blog.example.org/wp-content/uploads/2023/12/map.jpg</guid>
		<wp:post_id>99</wp:post_id>
		<wp:status><![CDATA[inherit]]></wp:status>
		<wp:post_type><![CDATA[attachment]]></wp:post_type>
		<wp:attachment_url><![CDATA[https://blog.example.org/wp-content/uploads/2023/12/map.jpg]]></wp:attachment_url>
	</item>
	<item>
		<title><![CDATA[Home]]></title>
		<wp:post_id>5</wp:post_id>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_type><![CDATA[nav_menu_item]]></wp:post_type>
	</item>
"""


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


@pytest.mark.parametrize("name", SITES)
def test_readers_see_the_same_entries_in_feedpubs_feeds(tmp_path: Path, name: str) -> None:
    files, read_as = SITES[name]
    result = imported(tmp_path, *write(tmp_path, files))
    sources = "1 source" if len(files) == 1 else f"{len(files)} sources"
    also = f", {3 * len(files) - 3} also in another source or page" if len(files) > 1 else ""
    assert (result.returncode, result.stdout) == (
        0,
        f"imported 3 entries from {sources} into articles.yaml: {3 * len(files)} found, 0 skipped{also}\n",
    ), result.stderr
    assert called("check", cwd=tmp_path).returncode == 0
    built(tmp_path)
    verified = called("verify", cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    for old, new in read_as.items():
        before = seen((tmp_path / old).read_bytes(), json_feed=old.endswith(".json"))
        after = seen((tmp_path / "feeds" / new).read_bytes(), json_feed=new.endswith(".json"))
        assert len(before) == 3
        assert after == before, (old, new)


def test_what_each_format_carries_reaches_the_catalogue(tmp_path: Path) -> None:
    write(tmp_path, {"feed.xml": wordpress_rss(POSTS), "atom.xml": wordpress_atom(POSTS)})
    assert imported(tmp_path, "feed.xml", "atom.xml").returncode == 0
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert (catalogue.site.title, catalogue.site.link, catalogue.site.language) == (
        "Example Blog",
        "https://blog.example.org",
        "en-US",
    )
    hello = next(a for a in catalogue.articles if a.id == "hello-world")
    assert hello.guid == "https://blog.example.org/?p=12" and hello.atom_id is None  # one id in both
    assert hello.title == "It\u2019s \u201chere\u201d & now"
    assert hello.published == datetime(2023, 12, 7, 15, 0, tzinfo=UTC)
    assert hello.updated == datetime(2023, 12, 8, 14, 30, tzinfo=UTC)  # from the Atom feed
    assert [t.name for t in hello.tags] == ["News", "Gaza"]
    assert [a.name for a in hello.authors] == ["Jane Doe"]
    assert [(e.url, e.length, e.type) for e in hello.enclosures] == [
        ("https://media.example.org/episode-1.mp3", 12345678, "audio/mpeg")
    ]
    assert hello.summary == html_text(POSTS[0].content)[:40] + " […]"
    # relative addresses made absolute against the article, as build does; scripts gone
    assert hello.content is not None
    assert 'href="https://blog.example.org/about/"' in hello.content
    assert 'src="https://blog.example.org/2023/12/07/hello-world/uploads/map.jpg"' in hello.content
    numbers = next(a for a in catalogue.articles if a.id == "numbers-2024")
    assert numbers.content is not None and "script" not in numbers.content and "alert" not in numbers.content
    cafe = next(a for a in catalogue.articles if a.id == "cafe-society")
    assert cafe.title == "Café society & its <discontents>"


def test_ids_that_differ_between_rss_and_atom_are_both_kept(tmp_path: Path) -> None:
    files, _ = SITES["Movable Type RSS and Atom"]
    assert imported(tmp_path, *write(tmp_path, files)).returncode == 0
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert sorted((a.guid, a.atom_id) for a in catalogue.articles) == [
        ("12@https://mt.example.org/", "tag:mt.example.org,2023:/weblog//1.12"),
        ("15@https://mt.example.org/", "tag:mt.example.org,2023:/weblog//1.15"),
        ("21@https://mt.example.org/", "tag:mt.example.org,2024:/weblog//1.21"),
    ]


def test_the_catalogue_is_yaml_a_person_will_want_to_edit(tmp_path: Path) -> None:
    write(tmp_path, {"atom.xml": jekyll_atom(POSTS)})
    assert imported(tmp_path, "atom.xml").returncode == 0
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    assert "\n    content: |-\n      <p>" in text  # HTML as a literal block
    assert "\n  - id: hello-world\n    guid: https://jekyll.example.org/2023/12/07/hello-world\n" in text
    assert "\n    published: 2023-12-07T10:00:00-05:00\n" in text  # the offset as the feed had it
    assert "# guessed: where the feeds/ folder" in text
    assert "\n    tags: [News, Gaza]\n" in text


def test_a_comment_says_where_the_import_had_to_guess(tmp_path: Path) -> None:
    feed = jekyll_atom(POSTS[:1]).replace("<published>2023-12-07T10:00:00-05:00</published>", "")
    write(tmp_path, {"atom.xml": feed})
    assert imported(tmp_path, "atom.xml").returncode == 0
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    assert (
        "    # date taken from the feed's updated, the entry had no published\n"
        "    published: 2023-12-08T09:30:00-05:00\n"
    ) in text


# -- WordPress exports ----------------------------------------------------------------------------


def wxr_posts() -> list[Post]:
    base = datetime(2023, 10, 1, 9, 0, tzinfo=NEW_YORK)

    def post(number: int, slug: str, status: str, **extra: Any) -> Post:
        return Post(
            number,
            slug,
            slug.replace("-", " ").title(),
            base + timedelta(days=number),
            ["News", "Gaza"],
            f"First paragraph of {slug}.\n\nSecond paragraph.",
            status=status,
            **extra,
        )

    return [
        post(1, "published-one", "publish", extra={"_thumbnail_id": "99"}),
        post(2, "published-two", "publish", author="Jean Dupont"),
        post(3, "a-draft", "draft"),
        post(4, "pending-review", "pending"),
        post(5, "private-post", "private"),
        post(6, "in-the-trash", "trash"),
        post(7, "password-protected", "publish", extra={"post_password": "secret"}),
        post(8, "floating-draft", "no-date"),
    ]


def test_a_wordpress_export_brings_posts_drafts_and_the_reasons_for_what_it_leaves(tmp_path: Path) -> None:
    write(tmp_path, {"export.xml": wxr(wxr_posts(), WXR_OTHERS)})
    result = imported(tmp_path, "export.xml")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "imported 7 entries (5 drafts) from 1 source into articles.yaml: 11 found, "
        "4 skipped (1 attachment, 1 nav_menu_item, 1 page, 1 with status trash)\n"
    )
    assert "\"In The Trash\" skipped: its status is 'trash'" in result.stderr
    assert "\"About\" skipped: its post_type is 'page', not a post" in result.stderr
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    catalogue = valid(text)
    by_id = {a.id: a for a in catalogue.articles}
    assert {i: a.draft for i, a in by_id.items()} == {
        "published-one": False,
        "published-two": False,
        "p-3": True,
        "p-4": True,
        "p-5": True,
        "password-protected": True,
        "p-8": True,
    }
    assert "# a draft in WordPress" in text and "# password-protected in WordPress" in text
    one = by_id["published-one"]
    assert one.guid == "https://blog.example.org/?p=1"
    assert one.published.isoformat() == "2023-10-02T09:00:00-05:00"  # local time with WordPress's offset
    assert one.content == "<p>First paragraph of published-one.</p>\n<p>Second paragraph.</p>"
    assert (
        one.image is not None
        and one.image.url == "https://blog.example.org/wp-content/uploads/2023/12/map.jpg"
    )
    assert [a.name for a in by_id["published-two"].authors] == ["Jean Dupont"]
    assert "private.example.org" not in text  # authors' addresses in an export are not for feeds
    assert [t.name for t in one.tags] == ["News", "Gaza"]
    # a draft WordPress gave no GMT time takes the offset most posts have
    assert by_id["p-3"].published.isoformat() == "2023-10-04T09:00:00-05:00"
    built(tmp_path)
    guids = [e.id for e in feedparser.parse((tmp_path / "feeds" / "rss.xml").read_bytes()).entries]
    assert guids == ["https://blog.example.org/?p=2", "https://blog.example.org/?p=1"]


def test_a_wordpress_post_without_a_local_date_takes_its_gmt_one_or_its_pubdate(tmp_path: Path) -> None:
    posts = [p for p in wxr_posts() if p.number in (1, 2)]
    posts.append(dataclasses.replace(posts[0], number=9, slug="impossible"))
    export = wxr(posts)
    no_local, only_pubdate, impossible = export.split("<item>")[1:]
    export = export.replace(no_local, re.sub(r"<wp:post_date>.*?</wp:post_date>", "", no_local))
    export = export.replace(
        only_pubdate, re.sub(r"<wp:post_date(_gmt)?>.*?</wp:post_date(_gmt)?>", "", only_pubdate)
    )
    # an impossible post_date, and no modified date to fall back on
    wrong = re.sub(r"<wp:post_modified_gmt>.*?</wp:post_modified_gmt>", "", impossible)
    export = export.replace(
        impossible,
        wrong.replace("2023-10-02 09:00:00]]></wp:post_date>", "2023-02-31 09:00:00]]></wp:post_date>"),
    )
    outcome, lines, text = import_here(tmp_path, "export.xml", export)
    assert (outcome.imported, outcome.skipped) == (2, 1)
    by_id = {a.id: a for a in valid(text).articles}
    assert by_id["published-one"].published.isoformat() == "2023-10-02T14:00:00+00:00"
    assert "# WordPress gave no local time: its GMT time is kept" in text
    assert by_id["published-two"].published.isoformat() == "2023-10-03T14:00:00+00:00"
    (line,) = lines
    assert line.endswith(
        "\"Published One\" skipped: its date '2023-02-31 09:00:00' is not a date: day is out of range for month"
    )


def test_the_feed_after_the_export_brings_nothing_twice(tmp_path: Path) -> None:
    posts = [p for p in wxr_posts() if p.status == "publish" and not p.extra.get("post_password")]
    write(tmp_path, {"export.xml": wxr(wxr_posts()), "feed.xml": wordpress_rss(posts)})
    assert imported(tmp_path, "export.xml").returncode == 0
    before = (tmp_path / "articles.yaml").read_bytes()
    again = imported(tmp_path, "feed.xml")
    assert (again.returncode, again.stdout) == (
        0,
        "imported 0 entries from 1 source into articles.yaml: 2 found, 0 skipped, 2 already there\n",
    )
    assert (tmp_path / "articles.yaml").read_bytes() == before


# -- an existing catalogue ----------------------------------------------------------------------

EXISTING = catalogue_text(
    article(
        "mine",
        "summary: Written by hand.  # a comment of mine",
        link="https://blog.example.org/2023/12/07/hello-world/",
    )
)


def test_new_entries_are_appended_and_what_was_there_is_not_touched(tmp_path: Path) -> None:
    (tmp_path / "articles.yaml").write_text(EXISTING, encoding="utf-8")
    write(tmp_path, {"feed.xml": wordpress_rss(POSTS)})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 0, result.stderr
    # the article already there (the same link) is not imported again
    assert (
        result.stdout
        == "imported 2 entries from 1 source into articles.yaml: 3 found, 0 skipped, 1 already there\n"
    )
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    assert text.startswith(EXISTING)
    catalogue = valid(text)
    assert [a.id for a in catalogue.articles] == ["mine", "numbers-2024", "cafe-society"]
    assert catalogue.site.title == "Example News"  # the site block is the user's
    again = imported(tmp_path, "feed.xml")
    assert (
        again.stdout
        == "imported 0 entries from 1 source into articles.yaml: 3 found, 0 skipped, 3 already there\n"
    )
    assert (tmp_path / "articles.yaml").read_text(encoding="utf-8") == text


def test_new_ids_do_not_take_ids_in_use(tmp_path: Path) -> None:
    (tmp_path / "articles.yaml").write_text(catalogue_text(article("hello-world")), encoding="utf-8")
    write(tmp_path, {"feed.xml": wordpress_rss(POSTS[:1])})
    assert imported(tmp_path, "feed.xml").returncode == 0
    catalogue = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    assert [a.id for a in catalogue.articles] == ["hello-world", "hello-world-2"]


def test_line_ends_and_indentation_of_the_catalogue_are_followed(tmp_path: Path) -> None:
    own = EXISTING.replace("\n  - id:", "\n- id:").replace("\n    ", "\n  ").replace("\n", "\r\n")
    (tmp_path / "articles.yaml").write_bytes(own.encode())
    write(tmp_path, {"feed.xml": wordpress_rss(POSTS)})
    assert imported(tmp_path, "feed.xml").returncode == 0
    data = (tmp_path / "articles.yaml").read_bytes()
    assert data.startswith(own.encode())
    added = data[len(own) :].decode()
    assert "\n" not in added.replace("\r\n", "")
    assert added.startswith("- id: numbers-2024\r\n  guid:")
    assert called("check", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("catalogue", "words"),
    [
        (SITE.replace("articles:\n", "articles: []\n"), "written as a [...] list"),
        (
            "articles:\n" + SITE.replace("articles:\n", ""),
            "'articles' is not the last top-level key ('site' follows it)",
        ),
        (catalogue_text(article("a1")) + "...\n", "the document ends"),
    ],
)
def test_a_catalogue_that_cannot_be_appended_to_safely_is_refused(
    tmp_path: Path, catalogue: str, words: str
) -> None:
    (tmp_path / "articles.yaml").write_text(catalogue, encoding="utf-8")
    write(tmp_path, {"feed.xml": wordpress_rss(POSTS)})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 1
    assert "cannot append to 'articles.yaml' safely" in result.stderr and words in result.stderr
    assert (tmp_path / "articles.yaml").read_text(encoding="utf-8") == catalogue


def test_an_invalid_catalogue_is_refused_with_its_problems(tmp_path: Path) -> None:
    bad = catalogue_text(article("a1", published="2023-02-30"))
    (tmp_path / "articles.yaml").write_text(bad, encoding="utf-8")
    write(tmp_path, {"feed.xml": wordpress_rss(POSTS)})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 1
    assert "fix them ('feedpub check') before importing" in result.stderr
    assert "articles.yaml:11:16: error: 'published'" in result.stderr
    assert (tmp_path / "articles.yaml").read_text(encoding="utf-8") == bad


# -- what cannot be carried ------------------------------------------------------------------------


def test_entries_that_cannot_be_carried_are_reported_and_skipped(tmp_path: Path) -> None:
    old = Post(22, "numbers-1979", "Numbers: 1979", datetime(1979, 1, 2, tzinfo=UTC), [], "<p>Old.</p>")
    text = wordpress_rss([*POSTS, old])
    first_item = text[: text.index("<item>")].count("\n") + 1
    text = text.replace("<pubDate>Thu, 07 Dec 2023 15:00:00 +0000</pubDate>", "")
    text = text.replace("<link>https://blog.example.org/2023/11/20/cafe-society/</link>", "")
    text = text.replace(
        "<link>https://blog.example.org/2024/01/02/numbers-2024/</link>", "<link>javascript:alert(1)</link>"
    )
    write(tmp_path, {"feed.xml": text})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert (
        f'feed.xml:{first_item}: "{POSTS[0].title}" skipped: it has no date (pubDate, dc:date, published or updated)'
        in lines
    )
    assert any('"Café society & its <discontents>" skipped: it has no link' in line for line in lines)
    assert any("'javascript:alert(1)' is not an absolute http(s) address" in line for line in lines)
    assert any('"Numbers: 1979" skipped:' in line and "not between 1990 and 9998" in line for line in lines)
    assert lines[-1].startswith(
        "feedpub: nothing to import: the sources hold no entry feedpub can carry (4 found, 4 skipped "
        "(1 no http(s) link, 1 no link, 1 no valid date, 1 refused by feedpub check))"
    )
    assert not (tmp_path / "articles.yaml").exists()


def test_what_feedpub_refuses_in_an_entry_is_left_out_and_said(tmp_path: Path) -> None:
    feed = wordpress_rss(POSTS[:1])
    feed = feed.replace("<category><![CDATA[Gaza]]></category>", "<category><![CDATA[!!!]]></category>")
    feed = feed.replace("?p=12</guid>", "?p=12 (old)</guid>")
    feed = feed.replace('length="12345678"', 'length="unknown"')
    write(tmp_path, {"feed.xml": feed})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 0, result.stderr
    assert (
        "left out its guid: 'guid': 'https://blog.example.org/?p=12 (old)' contains white space"
        in result.stderr
    )
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    assert "# the feed's category '!!!' has no letter or digit to name a tag: left out" in text
    assert "the feed gave no size in bytes, 0 stands for unknown" in text
    (hello,) = valid(text).articles
    assert hello.guid is None and [t.name for t in hello.tags] == ["News"]
    assert hello.enclosures[0].length == 0


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


@pytest.mark.parametrize(
    ("date", "published", "comment", "said"),
    [
        ("Mon, 04 Dec 2023 10:00:00 +0530", "2023-12-04T10:00:00+05:30", None, False),
        ("Mon, 04 Dec 2023 10:00:00 +05:30", "2023-12-04T10:00:00+05:30", None, False),
        ("Mon, 04 Dec 2023 10:00:00 PDT", "2023-12-04T10:00:00-07:00", None, False),
        ("Mon, 04 Dec 2023 10:00:00 +0000 (UTC)", "2023-12-04T10:00:00+00:00", None, False),
        ("4 Dec 99 10:00 GMT", "1999-12-04T10:00:00+00:00", None, False),
        (
            "Mon, 04 Dec 2023 10:00:00 -0000",
            "2023-12-04T10:00:00+00:00",
            "the feed wrote -0000: the time is UTC, the local zone unknown (RFC 5322)",
            False,
        ),
        (
            "Mon, 04 Dec 2023 10:00:00 A",
            "2023-12-04T10:00:00+00:00",
            "the feed's zone 'A' is a military letter, which RFC 5322 says to read as -0000",
            True,
        ),
        *(
            (
                f"Mon, 04 Dec 2023 10:00:00 {zone}",
                "2023-12-04T10:00:00",
                f"the feed's zone '{zone}' is not an offset feedpub can read",
                True,
            )
            for zone in ("CEST", "IST", "GMT+2")
        ),
        (
            "Mon, 04 Dec 2023 10:00:00",
            "2023-12-04T10:00:00",
            "the feed gave no offset: the time is read in site.timezone",
            False,
        ),
    ],
)
def test_a_dates_zone_is_its_offset_or_said_not_to_be(
    tmp_path: Path, date: str, published: str, comment: str | None, said: bool
) -> None:
    _, lines, text = import_here(tmp_path, "feed.xml", small_rss(small_item(1, date)))
    assert f"    published: {published}\n" in text
    if comment is None:
        assert "    # " not in text.split("title: Item 1")[1]
    else:
        assert comment in text
    assert bool(lines) == said and all(line.startswith('feed.xml:3: "Item 1": the feed') for line in lines)


@pytest.mark.parametrize(
    ("date", "why"),
    [
        *(
            (f"Mon, 04 Dec 2023 10:00:00 {zone}", f"has the UTC offset {zone}, which is not one")
            for zone in ("+2400", "-2500", "+9999", "+0060")
        ),
        ("2023-01-01T00:00:00+25:00", "has the UTC offset +25:00, which is not one"),
        ("Mon, 31 Feb 2023 10:00:00 GMT", "is not a date: day is out of range for month"),
        ("Mon, 04 Dec 2023 24:00:00 GMT", "is not a date: hour must be in 0..23"),
        ("2023-02-30", "is not a date: day is out of range for month"),
        ("soon", "is not a date feedpub can read (expected RFC 822"),
    ],
)
def test_an_impossible_date_skips_its_entry_with_what_it_was_and_why(
    tmp_path: Path, date: str, why: str
) -> None:
    # and only that entry: the others of the source are imported
    outcome, lines, text = import_here(tmp_path, "feed.xml", small_rss(small_item(1, date), small_item(2)))
    assert (outcome.imported, outcome.skipped) == (1, 1)
    (line,) = lines
    assert line.startswith(f"feed.xml:3: \"Item 1\" skipped: its date '{date}' {why}")
    assert "title: Item 2" in text


def test_a_json_feed_date_with_an_offset_of_a_day_skips_its_entry(tmp_path: Path) -> None:
    items = [
        {"id": str(n), "url": f"https://ex.org/{n}", "title": f"Item {n}", "date_published": date}
        for n, date in ((1, "2023-01-01T00:00:00+25:00"), (2, "2023-01-01T00:00:00+01:00"))
    ]
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "home_page_url": "https://ex.org/",
    }
    outcome, lines, _ = import_here(tmp_path, "feed.json", json.dumps({**document, "items": items}))
    assert (outcome.imported, outcome.skipped) == (1, 1)
    assert lines == [
        "feed.json: item 1: \"Item 1\" skipped: its date '2023-01-01T00:00:00+25:00' has the UTC offset "
        "+25:00, which is not one (offsets run from -23:59 to +23:59)"
    ]


def test_an_impossible_published_date_gives_way_to_a_valid_updated_one_said(tmp_path: Path) -> None:
    more = "<atom:updated>2023-12-05T10:00:00Z</atom:updated>"
    feed = small_rss(small_item(1, "Mon, 31 Feb 2023 10:00:00 GMT", more)).replace(
        '<rss version="2.0">', '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
    )
    _, lines, text = import_here(tmp_path, "feed.xml", feed)
    assert "    published: 2023-12-05T10:00:00+00:00\n" in text
    assert (
        "date taken from the feed's updated: its published 'Mon, 31 Feb 2023 10:00:00 GMT' is not a date"
        in text
    )
    assert lines == [
        "feed.xml:3: \"Item 1\": its updated date is kept, its date 'Mon, 31 Feb 2023 10:00:00 GMT' "
        "is not a date: day is out of range for month"
    ]


def test_two_tags_of_one_entry_that_would_share_a_folder_keep_the_first_and_say_so(tmp_path: Path) -> None:
    tags = "<category>C++</category><category>C</category><category>C++</category>"
    _, lines, text = import_here(tmp_path, "feed.xml", small_rss(small_item(1, more=tags)))
    assert [t.name for t in valid(text).articles[0].tags] == ["C++"]
    assert "# the feed's category 'C' would share the folder 'c' with 'C++': left out" in text
    assert lines == [
        "feed.xml:3: \"Item 1\": left out its tag 'C', which would share the folder 'c' with 'C++'"
    ]


def test_an_entry_whose_author_is_refused_is_said_to_be_credited_to_the_site(tmp_path: Path) -> None:
    feed = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>S</title><id>tag:ex.org,2020:feed</id>
 <updated>2023-12-01T00:00:00Z</updated><link href="https://ex.org/"/><author><name>Ann</name></author>
 <entry><title>Other</title><id>tag:ex.org,2020:2</id><link href="https://ex.org/two"/>
  <updated>2023-12-02T00:00:00Z</updated><author><name>Bob bob@ex.org</name></author></entry>
</feed>
"""
    _, lines, text = import_here(tmp_path, "a.xml", feed)
    credited = "with no author of its own, the article is credited to the site's (Ann)"
    assert "# left out the entry's author: 'name': 'Bob bob@ex.org' contains an e-mail address" in text
    assert credited in text and "the feed's author" not in text
    (line,) = lines
    assert line.startswith('a.xml:4: "Other": left out its author:') and line.endswith(credited)


def test_entries_with_a_guid_an_earlier_entry_has_are_kept_by_their_links(tmp_path: Path) -> None:
    # three items with one guid (a broken feed template): readers showed the first by it; the
    # others are articles of their own, whose links become their guids, with a comment and a line
    def item(n: int, guid: str) -> str:
        return (
            f"<item><title>Item {n}</title><link>https://dup.example.org/{n}/</link>"
            f'<guid isPermaLink="false">{guid}</guid><pubDate>{rfc822(datetime(2024, 1, n, tzinfo=UTC))}</pubDate>'
            "<description>Text.</description></item>\n"
        )

    feed = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Dup</title>\n'
        "<link>https://dup.example.org/</link><description>Dup.</description>\n"
        + item(1, "same")
        + item(2, "same")
        + item(3, "same")
        + item(4, "with spaces")
        + "</channel></rss>\n"
    )
    write(tmp_path, {"feed.xml": feed})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported 4 entries from 1 source into articles.yaml: 4 found, 0 skipped\n"
    for n in (2, 3):
        assert (
            f"feed.xml:{3 + n}: \"Item {n}\" has the id 'same' of an earlier entry: its link is its guid instead"
            in result.stderr.splitlines()
        )
    assert "left out its guid: 'guid': 'with spaces' contains white space" in result.stderr
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    assert text.count("the old feed gave this entry the id 'same', which an earlier entry of it has") == 2
    guids = {a.title: a.guid for a in valid(text).articles}
    assert guids == {
        "Item 1": "same",
        "Item 2": "https://dup.example.org/2/",
        "Item 3": "https://dup.example.org/3/",
        "Item 4": None,
    }
    again = imported(tmp_path, "feed.xml")  # and nothing twice
    assert (
        again.stdout
        == "imported 0 entries from 1 source into articles.yaml: 4 found, 0 skipped, 4 already there\n"
    )


def test_html_in_titles_becomes_the_text_readers_showed(tmp_path: Path) -> None:
    feed = wordpress_rss(POSTS[:1]).replace(
        f"<title>{wp_title(POSTS[0].title)}</title>",
        "<title>&lt;script&gt;alert(1)&lt;/script&gt;Breaking &lt;b&gt;news&lt;/b&gt; &lt;img src=x onerror=alert(2)&gt;</title>",
    )
    write(tmp_path, {"feed.xml": feed})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 0
    assert (
        'feed.xml:23: the title "<script>alert(1)</script>Breaking <b>news</b> <img src=x on…" held HTML'
        in result.stderr
    )
    text = (tmp_path / "articles.yaml").read_text(encoding="utf-8")
    assert "    title: Breaking news\n" in text
    assert "# the feed's title held HTML" in text
    built(tmp_path)
    for name in ("rss.xml", "atom.xml", "feed.json"):
        data = (tmp_path / "feeds" / name).read_text(encoding="utf-8")
        assert "alert" not in data and "onerror" not in data, name


def test_plain_text_that_mentions_a_tag_keeps_its_words_without_angle_brackets(tmp_path: Path) -> None:
    # Atom's type="text" is plain text: '</div>' in it is words, which check refuses as they
    # are, so they are written as check asks, said, and the entry kept
    feed = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Web &lt;/dev&gt;</title><id>tag:ex.org,2020:feed</id>
 <updated>2023-12-01T00:00:00Z</updated><link href="https://ex.org/"/><author><name>Ann</name></author>
 <entry><title type="text">Why &lt;/div&gt; matters</title><id>tag:ex.org,2020:1</id>
  <link href="https://ex.org/one"/><updated>2023-12-01T00:00:00Z</updated>
  <summary>Close &lt;/p&gt;</summary><category term="&lt;/b&gt;old"/><author><name>Bob &lt;/i&gt;</name></author>
 </entry>
</feed>
"""
    outcome, lines, text = import_here(tmp_path, "a.xml", feed)
    assert (outcome.imported, outcome.skipped) == (1, 0)
    (one,) = valid(text).articles
    assert (one.title, one.summary, [t.name for t in one.tags], [a.name for a in one.authors]) == (
        "Why /div matters",
        "Close /p",
        ["/bold"],
        ["Bob /i"],
    )
    assert valid(text).site.title == "Web /dev"
    assert (
        "# the feed's text held '</div>', which plain text cannot carry: written without '<' and '>'" in text
    )
    assert (
        'a.xml:4: "Why </div> matters": its title held \'</div>\', which plain text cannot carry: written "Why /div matters"'
        in lines
    )
    assert sum("which plain text cannot carry" in line for line in lines) == 5


def test_a_site_title_with_markup_is_reduced_to_its_text_as_entry_titles_are(tmp_path: Path) -> None:
    feed = small_rss(small_item(1), channel_title="<![CDATA[My <b>Blog</b> &amp; Co]]>")
    _, lines, text = import_here(tmp_path, "feed.xml", feed)
    assert valid(text).site.title == "My Blog & Co"
    assert (
        "  # the feed's text held HTML (My <b>Blog</b> &amp; Co): its text is kept\n  title: My Blog & Co\n"
        in text
    )
    assert lines == [
        "the site's title: the feed's text held HTML (My <b>Blog</b> &amp; Co): its text is kept"
    ]


def test_a_site_title_check_refuses_gives_way_to_the_host_said(tmp_path: Path) -> None:
    write(tmp_path, {"feed.xml": small_rss(small_item(1), channel_title="A\ufffdB")})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 0, result.stderr
    assert any(
        line.startswith("the site's title is replaced by its host: 'title' contains U+FFFD")
        for line in result.stderr.splitlines()
    )
    assert valid((tmp_path / "articles.yaml").read_text(encoding="utf-8")).site.title == "ex.org"


def test_a_site_block_that_cannot_be_made_valid_is_refused_on_one_line_naming_the_field(
    tmp_path: Path,
) -> None:
    feed = small_rss(small_item(1)).replace(
        "<link>https://ex.org/</link>", "<link>https://ex.org/a b/</link>"
    )
    write(tmp_path, {"feed.xml": feed})
    result = imported(tmp_path, "feed.xml")
    assert result.returncode == 1
    line = result.stderr.splitlines()[-1]
    assert line.startswith(
        "feedpub: the site block made from the sources would not pass 'feedpub check' (site.link: "
    )
    assert line.endswith(
        "write articles.yaml as the two lines `site: {title: …, link: https://…/, feed_url: https://…/feeds/, "
        "description: …, author: {name: …}}` and `articles:` with the site's own values, and import into it"
    )
    assert "\\n" not in line
    assert not (tmp_path / "articles.yaml").exists()


# -- hostile sources: refused with a clear message, nothing written ------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><link>https://example.org/</link><description>x</description>
<item><title>&lol9;</title><link>https://example.org/a</link><pubDate>Thu, 07 Dec 2023 15:00:00 +0000</pubDate></item>
</channel></rss>
"""

QUADRATIC_BLOWUP = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + "x" * 50_000 + '">]>'
    '<rss version="2.0"><channel><title>t</title><link>https://example.org/</link><description>'
    + "&a;" * 10_000
    + "</description></channel></rss>"
)

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file://{path}">]>
<rss version="2.0"><channel><title>t</title><link>https://example.org/</link><description>d</description>
<item><title>&secret;</title><link>https://example.org/a</link><pubDate>Thu, 07 Dec 2023 15:00:00 +0000</pubDate></item>
</channel></rss>
"""


@pytest.mark.parametrize(
    ("document", "status", "words"),
    [
        (BILLION_LAUGHS, 1, "declares XML entities (<!ENTITY …>)"),
        (QUADRATIC_BLOWUP, 1, "declares XML entities (<!ENTITY …>)"),
        (EXTERNAL_ENTITY, 1, "declares XML entities (<!ENTITY …>)"),
        (
            "<!DOCTYPE html><html><head><title>Blog</title></head><body><p>Hello</body></html>",
            1,
            "is a web page, not a feed",
        ),
        ("<rss version='2.0'><channel><title>Broken</title>", 1, "is not well-formed XML"),
        ("<opml version='2.0'><body/></opml>", 1, "its root element is <opml>"),
        ('{"version": "1", "items": []}', 1, "is JSON, but not a JSON Feed"),
        ("[" * 100_000 + "]" * 100_000, 1, "is not valid JSON"),
    ],
    ids=[
        "billion laughs",
        "quadratic blowup",
        "external entity",
        "web page",
        "not well-formed",
        "not a feed",
        "other JSON",
        "deep JSON",
    ],
)
def test_a_hostile_or_wrong_document_is_refused_and_nothing_is_written(
    tmp_path: Path, document: str, status: int, words: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    (tmp_path / "feed.xml").write_text(document.replace("{path}", str(secret)), encoding="utf-8")
    result = imported(tmp_path, "feed.xml")
    assert (result.returncode, result.stdout) == (status, "")
    # refused for declaring entities, which is before any is expanded
    assert result.stderr.startswith("feedpub: feed.xml ") and words in result.stderr, result.stderr
    assert "the secret" not in result.stderr
    assert not (tmp_path / "articles.yaml").exists()


def test_a_document_of_a_gigabyte_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as f:
        f.truncate(1 << 30)  # sparse: a gigabyte that takes no room
    result = imported(tmp_path, "huge.xml")
    assert result.returncode == 1
    assert (
        result.stderr == "feedpub: huge.xml is larger than 256 MiB, the most feedpub reads of one document\n"
    )
    assert not (tmp_path / "articles.yaml").exists()


def test_a_missing_source_file_is_a_usage_error(tmp_path: Path) -> None:
    result = imported(tmp_path, "nowhere.xml")
    assert (result.returncode, result.stderr) == (
        2,
        "feedpub: cannot read 'nowhere.xml': No such file or directory\n",
    )
    assert imported(tmp_path, "ftp://example.org/feed.xml").returncode == 2


# -- over HTTP: servers written for each case -----------------------------------------------------


class Server(http.server.BaseHTTPRequestHandler):
    """Answers each path from `routes`: (status, headers, body) or a callable that answers."""

    routes: ClassVar[dict[str, Any]] = {}
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Server.requests.append(self.path)
        route = Server.routes.get(self.path, (404, {}, b"not found"))
        if callable(route):
            route(self)
            return
        status, headers, body = route
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Server.routes, Server.requests = {}, []
    http_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Server)
    http_server.daemon_threads = True
    thread = threading.Thread(target=http_server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http_server.server_address[1]}"
    finally:
        http_server.shutdown()
        http_server.server_close()


def xml(text: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/rss+xml; charset=UTF-8"}, text.encode()


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


def test_wordpress_pages_are_followed_to_the_first_post(tmp_path: Path, server: str) -> None:
    posts = many_posts(25)[::-1]  # newest first, ten a page as WordPress serves them
    for number in range(3):
        page = wordpress_rss(posts[number * 10 : number * 10 + 10])
        Server.routes["/feed/" + (f"?paged={number + 1}" if number else "")] = xml(page)
    result = imported(tmp_path, f"{server}/feed/")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported 25 entries from 1 source into articles.yaml: 25 found, 0 skipped\n"
    assert Server.requests == ["/feed/", "/feed/?paged=2", "/feed/?paged=3", "/feed/?paged=4"]
    # the 404 after the last page is how WordPress says it is the last
    assert [line for line in result.stderr.splitlines() if not line.startswith(NEW_SITE)] == []


def test_rfc_5005_archives_are_followed_to_the_start(tmp_path: Path, server: str) -> None:
    # a feedpub site with archives: every older page named by prev-archive
    site = tmp_path / "old"
    site.mkdir()
    text = catalogue_text(
        *(article(f"a{n}", published=f"2024-01-{n:02d}") for n in range(1, 8)),
        site=SITE.replace("articles:\n", "  max_items: 2\n  archive: true\narticles:\n").replace(
            "https://example.org/feeds/", server + "/"
        ),
    )
    (site / "articles.yaml").write_text(text, encoding="utf-8")
    built(site)
    for path in (site / "feeds").rglob("*.xml"):
        Server.routes["/" + path.relative_to(site / "feeds").as_posix()] = (
            200,
            {"Content-Type": "application/xml"},
            path.read_bytes(),
        )
    result = imported(tmp_path, f"{server}/atom.xml")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported 7 entries from 1 source into articles.yaml: 7 found, 0 skipped\n"
    assert Server.requests == [
        "/atom.xml",
        "/archive/3/atom.xml",
        "/archive/2/atom.xml",
        "/archive/1/atom.xml",
    ]
    old = valid(text)
    new = valid((tmp_path / "articles.yaml").read_text(encoding="utf-8"))
    # moving from feedpub to feedpub: the urn:uuid ids become the guids
    from feedpub.render.plan import entry_id

    assert sorted(a.guid or "" for a in new.articles) == sorted(
        entry_id(old.site, a.id) for a in old.articles
    )


def test_archives_that_loop_or_lead_nowhere_stop_with_a_warning(tmp_path: Path, server: str) -> None:
    def page(posts: list[Post], older: str) -> tuple[int, dict[str, str], bytes]:
        feed = wordpress_rss(posts).replace("<generator>https://wordpress.org/?v=6.4.2</generator>", "")
        link = f'<atom:link href="{server}{older}" rel="prev-archive" type="application/rss+xml" />'
        return xml(feed.replace("<language>", link + "\n\t<language>"))

    posts = many_posts(6)
    Server.routes["/feed.xml"] = page(posts[4:], "/archive/2.xml")
    Server.routes["/archive/2.xml"] = page(posts[2:4], "/archive/1.xml")
    Server.routes["/archive/1.xml"] = page(posts[:2], "/archive/2.xml")  # back to a page read already
    looped = imported(tmp_path, f"{server}/feed.xml")
    assert looped.returncode == 0
    assert looped.stdout.startswith("imported 6 entries")
    assert (
        f"{server}/archive/2.xml was read already (the pages link in a loop): stopped there" in looped.stderr
    )
    Server.routes["/archive/1.xml"] = page(posts[:2], "/archive/0.xml")  # which is missing
    (tmp_path / "articles.yaml").unlink()
    missing = imported(tmp_path, f"{server}/feed.xml")
    assert missing.returncode == 0
    assert f"the older page {server}/archive/0.xml is missing (404): stopped there" in missing.stderr


def test_a_server_that_never_answers_is_given_up_on(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    try:
        port = listener.getsockname()[1]
        started = time.monotonic()
        result = imported(tmp_path, f"http://127.0.0.1:{port}/feed/")
        assert result.returncode == 74
        assert result.stderr == f"feedpub: http://127.0.0.1:{port}/feed/: no answer within 10 s\n"
        took = time.monotonic() - started
        assert fetch.Limits().idle_seconds <= took < 3 * fetch.Limits().idle_seconds  # room in proportion
    finally:
        listener.close()
    assert not (tmp_path / "articles.yaml").exists()


def test_a_server_that_trickles_is_given_up_on_and_a_large_answer_refused(server: str) -> None:
    def trickle(handler: Server) -> None:
        handler.send_response(200)
        handler.end_headers()
        for _ in range(40):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.1)

    Server.routes["/slow"] = trickle
    limits = fetch.Limits(idle_seconds=1, document_seconds=1)
    with pytest.raises(importer.Refused, match="took longer than 1 s to send"):
        fetch.fetch(f"{server}/slow", limits, fetch.Budget(limits.total_bytes))
    Server.routes["/claims"] = (200, {"Content-Length": str(1 << 30)}, b"")
    with pytest.raises(importer.Refused, match="larger than 256 MiB"):
        fetch.fetch(f"{server}/claims", fetch.Limits(), fetch.Budget(1 << 30))


@pytest.mark.parametrize("part", ["status line", "headers"])
def test_a_server_that_trickles_its_status_line_or_headers_is_given_up_on_at_the_deadline(
    tmp_path: Path, server: str, part: str
) -> None:
    # each byte, or each header line, comes well within the time a read may wait: only the
    # deadline for the whole document, counted from connecting, can stop it
    def trickle(handler: Server) -> None:
        head = b"HTTP/1.1 200 OK\r\n"
        pieces = [head[i : i + 1] for i in range(len(head))] if part == "status line" else [head]
        pieces += [f"X-Header-{n}: {n}\r\n".encode() for n in range(40)]
        with contextlib.suppress(OSError):
            for piece in pieces:
                handler.wfile.write(piece)
                handler.wfile.flush()
                time.sleep(0.2)

    Server.routes["/feed/"] = trickle
    limits = fetch.Limits(idle_seconds=1, document_seconds=1.5)
    said: list[str] = []
    started = time.monotonic()
    with pytest.raises(importer.Refused) as refused:
        importer.run([f"{server}/feed/"], tmp_path / "articles.yaml", said.append, limits)
    took = time.monotonic() - started
    assert limits.document_seconds <= took < 3 * limits.document_seconds  # room in proportion
    assert str(refused.value) == f"{server}/feed/: took longer than 1.5 s to send"
    assert said == []
    assert not (tmp_path / "articles.yaml").exists()


def test_a_gzip_answer_of_several_members_is_inflated_whole(tmp_path: Path, server: str) -> None:
    feed = wordpress_rss(POSTS).encode()
    half = len(feed) // 2
    answer = gzip.compress(feed[:half]) + gzip.compress(feed[half:]) + b"\0" * 8  # padding, as gzip allows
    Server.routes["/feed/"] = (
        200,
        {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"},
        answer,
    )
    result = imported(tmp_path, f"{server}/feed/")
    assert result.returncode == 0, result.stderr
    assert len(valid((tmp_path / "articles.yaml").read_text(encoding="utf-8")).articles) == len(POSTS)


def test_redirects_in_a_loop_or_too_many_are_refused_on_one_line(tmp_path: Path, server: str) -> None:
    Server.routes["/feed/"] = (302, {"Location": "/feed/"}, b"")
    for n in range(12):
        Server.routes[f"/hop/{n}"] = (301, {"Location": f"/hop/{n + 1}"}, b"")
    for path in ("/feed/", "/hop/0"):
        result = imported(tmp_path, f"{server}{path}")
        assert result.returncode == 74
        assert result.stderr == (
            f"feedpub: {server}{path}: the redirects lead in a loop or go on for more than 10 addresses "
            f"(the last answered {302 if path == '/feed/' else 301}): given up\n"
        )
    assert not (tmp_path / "articles.yaml").exists()


def test_a_gzip_bomb_is_inflated_only_up_to_the_limit(tmp_path: Path, server: str) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * (300 << 20), compresslevel=9)
    assert len(bomb) < 1 << 20
    Server.routes["/feed/"] = (200, {"Content-Encoding": "gzip", "Content-Type": "application/xml"}, bomb)
    result = imported(tmp_path, f"{server}/feed/")
    assert (result.returncode, result.stderr) == (
        1,
        f"feedpub: {server}/feed/ is larger than 256 MiB, the most feedpub reads of one document\n",
    )


def test_an_external_dtd_is_never_fetched(tmp_path: Path, server: str) -> None:
    Server.routes["/evil.dtd"] = (200, {}, b'<!ENTITY x "y">')
    feed = wordpress_rss(POSTS[:1]).replace(
        "<rss version", f'<!DOCTYPE rss SYSTEM "{server}/evil.dtd">\n<rss version', 1
    )
    feed = feed.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="UTF-8"?>\n')
    Server.routes["/feed/"] = xml(feed)
    result = imported(tmp_path, f"{server}/feed/")
    assert result.returncode == 0, result.stderr
    assert "/evil.dtd" not in Server.requests


def test_a_redirect_to_anything_but_http_is_refused(tmp_path: Path, server: str) -> None:
    Server.routes["/feed/"] = (301, {"Location": "file:///etc/passwd"}, b"")
    result = imported(tmp_path, f"{server}/feed/")
    assert result.returncode == 74
    assert "Redirection to url 'file:///etc/passwd' is not allowed" in result.stderr
    Server.routes["/feed/"] = (302, {"Location": "ftp://example.org/feed.xml"}, b"")
    result = imported(tmp_path, f"{server}/feed/")
    assert result.returncode == 74
    assert "redirected to ftp://example.org/feed.xml, which is not an http(s) address" in result.stderr
    assert not (tmp_path / "articles.yaml").exists()


def test_following_pages_stops_at_the_limit(server: str) -> None:
    posts = many_posts(30)[::-1]
    for number in range(3):
        Server.routes["/feed/" + (f"?paged={number + 1}" if number else "")] = xml(
            wordpress_rss(posts[number * 10 : number * 10 + 10])
        )
    said: list[str] = []
    pages = list(
        importer.history.pages(f"{server}/feed/", fetch.Limits(pages=2), fetch.Budget(1 << 30), said.append)
    )
    assert [len(p.entries) for p in pages] == [10, 10]
    assert said == [
        f"{server}/feed/: stopped after 2 pages, the most feedpub follows; older entries are not imported"
    ]


# -- a real reader: newsboat, subscribed to the old feeds, then to feedpub's at the same address --


def newsboat_items(workdir: Path, urls: list[str]) -> tuple[int, int]:
    """Reload `urls` in newsboat; how many entries its cache holds, and how many are unread."""
    (workdir / "urls").write_text("\n".join(urls) + "\n")
    run_newsboat(workdir, "-c", str(workdir / "cache.db"), "-x", "reload")
    with sqlite3.connect(workdir / "cache.db") as db:
        total, unread = db.execute("SELECT count(*), coalesce(sum(unread), 0) FROM rss_item").fetchone()
    return int(total), int(unread)


@pytest.mark.parametrize(
    "name",
    [
        "WordPress RSS and Atom",
        "Ghost RSS",
        "Hugo RSS",
        "jekyll-feed Atom",
        "Movable Type RSS and Atom",
    ],
)
def test_newsboat_shows_nothing_new_when_the_old_addresses_serve_feedpubs_feeds(
    tmp_path: Path, name: str
) -> None:
    before, after = move(tmp_path, name)
    assert before == (after[0], after[0]) and after[0] >= 3  # all new to a new subscriber, at first
    assert after[1] == 0, f"{before[0]} entries, {before[1]} unread at first; after the move: {after}"


def test_newsboat_knows_entries_without_guid_by_link_and_date_text_so_they_show_once_more(
    tmp_path: Path,
) -> None:
    # no id can match what each reader made up for an entry its feed gave no id: feedpub keeps
    # the link, which most readers use; newsboat used the link followed by the pubDate's text
    # (the tutorial "Move a WordPress blog" says so)
    before, after = move(tmp_path, "RSS without guids")
    assert before == (3, 3)
    assert after == (6, 3)


def move(tmp_path: Path, name: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """newsboat subscribed to `name`'s old feeds served by nginx reads them all; the old
    addresses then serve feedpub's build of the catalogue imported from them, and newsboat
    reloads. (entries, unread) in newsboat's cache at the first reload, and after the move."""
    files, read_as = SITES[name]
    www, site, reader = tmp_path / "www", tmp_path / "site", tmp_path / "reader"
    for folder in (www, site, reader):
        folder.mkdir()
    write(www, files)
    with nginx(www, tmp_path / "nginx") as base:
        urls = [f"{base}/{old}" for old in files]
        before = newsboat_items(reader, urls)
        with sqlite3.connect(reader / "cache.db") as db:  # the subscriber reads everything
            db.execute("UPDATE rss_item SET unread = 0")
        result = feedpub("import", *urls, cwd=site)  # from the old addresses, over HTTP
        assert result.returncode == 0, result.stderr
        built(site)
        for old, new in read_as.items():
            shutil.copyfile(site / "feeds" / new, www / old)
        after = newsboat_items(reader, urls)
    print(
        f"newsboat, {name}: {before[0]} entries, {before[1]} unread at first; after the move: {after[0]}, {after[1]} unread"
    )
    return before, after


# -- moving the feeds' own addresses: the documentation's redirects, served -----------------------


def documented_block(language: str) -> str:
    """The `language` code block of the how-to guide "Redirect the old feed addresses"."""
    section = (Path(__file__).parent.parent / "docs" / "how-to" / "redirects.md").read_text(encoding="utf-8")
    return section[
        section.index(f"```{language}\n") + len(language) + 4 : section.index(
            "```\n", section.index(f"```{language}\n") + 4
        )
    ]


@contextlib.contextmanager
def nginx_with(lines: str, www: Path, run: Path, port: int) -> Iterator[str]:
    """conftest's nginx, with `lines` added to its server block."""
    template = conftest.NGINX.replace(
        "    root {root};\n", "    root {root};\n" + lines.replace("{", "{{").replace("}", "}}")
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(conftest, "NGINX", template)
        with nginx(www, run, port) as base:
            yield base


def test_the_documented_nginx_redirects_answer_301_to_the_new_feeds(tmp_path: Path) -> None:
    with nginx_with(documented_block("nginx"), tmp_path, tmp_path / "nginx", free_port()) as base:
        for old, new in [
            ("/feed/", "/feeds/rss.xml"),
            ("/feed/?paged=2", "/feeds/rss.xml"),
            ("/feed/rss2/", "/feeds/rss.xml"),
            ("/feed/atom/", "/feeds/atom.xml"),
            ("/category/gaza/feed/", "/feeds/tags/gaza/rss.xml"),
        ]:
            connection = http.client.HTTPConnection(base.removeprefix("http://"))
            connection.request("GET", old)
            answer = connection.getresponse()
            assert (answer.status, answer.getheader("Location")) == (301, "https://blog.example.org" + new), (
                old
            )
            connection.close()


def test_newsboat_follows_the_redirect_to_feedpubs_feed_and_finds_nothing_new(tmp_path: Path) -> None:
    www, site, reader = tmp_path / "www", tmp_path / "site", tmp_path / "reader"
    for folder in (www / "old", site, reader):
        folder.mkdir(parents=True)
    (www / "old" / "feed.xml").write_text(wordpress_rss(POSTS), encoding="utf-8")
    (www / "old" / "atom.xml").write_text(wordpress_atom(POSTS), encoding="utf-8")
    old_site = (
        "location = /feed/      { try_files /old/feed.xml =404; }\n"
        "location = /feed/atom/ { try_files /old/atom.xml =404; }\n"
    )
    port = free_port()
    with nginx_with(old_site, www, tmp_path / "old-nginx", port) as base:
        urls = [f"{base}/feed/", f"{base}/feed/atom/"]
        before = newsboat_items(reader, urls)
        with sqlite3.connect(reader / "cache.db") as db:
            db.execute("UPDATE rss_item SET unread = 0")
        result = called("import", *urls, cwd=site)
        assert result.returncode == 0, result.stderr
    built(site)
    shutil.copytree(site / "feeds", www / "feeds")
    moved = documented_block("nginx").replace("https://blog.example.org", base)
    with nginx_with(moved, www, tmp_path / "new-nginx", port):
        after = newsboat_items(reader, urls)
    log = (tmp_path / "new-nginx" / "access.log").read_text()
    assert '"GET /feed/ HTTP/1.1" 301' in log and '"GET /feeds/rss.xml HTTP/1.1" 200' in log
    assert before == (3, 3) and after == (3, 0)


def test_a_large_import_shared_with_a_second_process_writes_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # from 500 entries on, a second process reads half the items and makes half the drafts,
    # on any machine: the catalogue must not tell
    (tmp_path / "feed.xml").write_text(wordpress_rss(many_posts(600)[::-1]), encoding="utf-8")
    written = []
    for share in (True, False):
        if not share:
            monkeypatch.setattr(importer.elements, "PARALLEL_ITEMS", 10**9)
            monkeypatch.setattr(importer, "PARALLEL_ENTRIES", 10**9)
        catalogue = tmp_path / f"shared-{share}.yaml"
        with pytest.MonkeyPatch.context() as patch:
            sent = watch_second_process(patch)
            outcome = importer.run(
                [str(tmp_path / "feed.xml")],
                catalogue,
                lambda line: line.startswith(NEW_SITE) or pytest.fail(line),
            )
        assert shared(sent) == share
        assert outcome.imported == 600
        written.append(catalogue.read_text(encoding="utf-8").replace(str(tmp_path), ""))
    assert written[0] == written[1]


def test_an_old_id_an_article_already_there_does_not_carry_is_said(tmp_path: Path) -> None:
    # the site's RSS feed first, its Atom feed (other ids) in a second run: the articles are
    # there already and are not changed, so the Atom ids they lack are said, with the fix
    write(tmp_path, {"index.xml": movable_type_rss(POSTS), "atom.xml": movable_type_atom(POSTS)})
    assert imported(tmp_path, "index.xml").returncode == 0
    before = (tmp_path / "articles.yaml").read_bytes()
    again = imported(tmp_path, "atom.xml")
    assert (
        again.stdout
        == "imported 0 entries from 1 source into articles.yaml: 3 found, 0 skipped, 3 already there\n"
    )
    assert (
        "already in the catalogue as 'hello-world', which does not carry the id this feed gave it: "
        "add `atom_id: tag:mt.example.org,2023:/weblog//1.12` to it, or that feed's readers will show it once more"
    ) in again.stderr
    assert again.stderr.count("add `atom_id:") == 3
    assert (tmp_path / "articles.yaml").read_bytes() == before
    # in one run, both are kept
    (tmp_path / "articles.yaml").unlink()
    both = imported(tmp_path, "index.xml", "atom.xml")
    assert [line for line in both.stderr.splitlines() if not line.startswith(NEW_SITE)] == []
    assert "atom_id: tag:mt.example.org" in (tmp_path / "articles.yaml").read_text()
