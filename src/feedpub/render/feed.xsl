<?xml version="1.0" encoding="UTF-8"?>
<!-- What a person sees who opens one of the site's RSS or Atom feeds in a browser: the feed's
     title and description, how to subscribe, and its entries. Feed readers ignore it. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:media="http://search.yahoo.com/mrss/"
    exclude-result-prefixes="atom media">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="address" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
  <!-- the wide logo where there is one, else the square icon -->
  <xsl:variable name="emblem" select="(/rss/channel/image/url | /atom:feed/atom:logo | /atom:feed/atom:icon[not(../atom:logo)])[1]"/>

  <xsl:template match="/">
    <html lang="{/rss/channel/language | /atom:feed/@xml:lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:call-template name="text"><xsl:with-param name="of" select="$title"/></xsl:call-template> (feed)</title>
        <style>
          :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
          body { margin: 0 auto; max-width: 46rem; padding: 1rem; }
          .about { border: 1px solid; border-radius: .5rem; padding: .75rem 1rem; }
          .about code { word-break: break-all; font-size: 1rem; }
          article { border-bottom: 1px solid #8884; padding: .5rem 0 1rem; }
          article h2 { font-size: 1.2rem; margin: .5rem 0 .25rem; }
          time { color: GrayText; }
          header img { max-height: 4rem; max-width: 100%; }
          article img { display: block; max-width: min(100%, 24rem); height: auto; margin: .5rem 0; }
        </style>
      </head>
      <body>
        <header>
          <p class="about">
            <strong>This is a web feed.</strong> Copy its address into your feed reader to
            follow new articles: <code><xsl:value-of select="$address"/></code>
          </p>
          <xsl:if test="$emblem">
            <!-- no alt text: the title beside it says it all -->
            <img class="logo" src="{$emblem}" alt=""/>
          </xsl:if>
          <h1><xsl:call-template name="text"><xsl:with-param name="of" select="$title"/></xsl:call-template></h1>
          <!-- RSS's description is plain text escaped as HTML, Atom's subtitle plain text -->
          <p>
            <xsl:value-of select="/rss/channel/description" disable-output-escaping="yes"/>
            <xsl:value-of select="/atom:feed/atom:subtitle"/>
          </p>
        </header>
        <main>
          <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <article>
      <h2><a href="{link}"><xsl:call-template name="text"><xsl:with-param name="of" select="title"/></xsl:call-template></a></h2>
      <!-- "Thu, 07 Dec 2023 15:00:00 GMT": the day, month and year -->
      <time datetime="{pubDate}"><xsl:value-of select="substring(pubDate, 6, 11)"/></time>
      <xsl:apply-templates select="media:thumbnail"/>
      <!-- the summary is plain text escaped as HTML; unescaping it gives the text back -->
      <p><xsl:value-of select="description" disable-output-escaping="yes"/></p>
    </article>
  </xsl:template>

  <xsl:template match="atom:entry">
    <article>
      <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
      <time datetime="{atom:published}"><xsl:value-of select="substring(atom:published, 1, 10)"/></time>
      <xsl:apply-templates select="media:thumbnail"/>
      <p><xsl:value-of select="atom:summary" disable-output-escaping="yes"/></p>
    </article>
  </xsl:template>

  <!-- An entry's image, described by the alt text its media:content carries as a plain title
       (none: the entry's title beside it says what there is to say). -->
  <xsl:template match="media:thumbnail">
    <img class="thumbnail" src="{@url}" alt="{../media:content/media:title}">
      <xsl:if test="@width"><xsl:attribute name="width"><xsl:value-of select="@width"/></xsl:attribute></xsl:if>
      <xsl:if test="@height"><xsl:attribute name="height"><xsl:value-of select="@height"/></xsl:attribute></xsl:if>
    </img>
  </xsl:template>

  <!-- Plain text, shown as written. An RSS title that readers would take for HTML is written
       escaped for HTML (syndication._rss_title); such a title, and no other, holds "&amp;" or
       "&lt;", and no "<", so unescaping it gives the text back. -->
  <xsl:template name="text">
    <xsl:param name="of"/>
    <xsl:choose>
      <xsl:when test="not(namespace-uri($of)) and (contains($of, '&amp;amp;') or contains($of, '&amp;lt;'))">
        <xsl:value-of select="$of" disable-output-escaping="yes"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$of"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
