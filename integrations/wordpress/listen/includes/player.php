<?php
/**
 * The player in posts: inserted before or after the content, the `listen/player` block
 * and the `[listen]` shortcode, each rendering the embed snippet of listen's README
 * (`<div data-listen-article="ID">` and `embed.js`, enqueued once, async, only on pages
 * that show a player).
 *
 * @package Listen
 */

defined( 'ABSPATH' ) || exit;

/** Height the player takes (px), reserved before embed.js runs: standard and compact. */
const LISTEN_HEIGHTS = array(
	''        => 96,
	'compact' => 56,
	'sticky'  => 96,
);

/**
 * True if the plugin handles posts of this type.
 *
 * @param string $type A post type.
 */
function listen_handles( string $type ): bool {
	return in_array( $type, listen_settings()['post_types'], true );
}

/**
 * The listen article ID of a post: its post ID, as the WordPress source names it.
 *
 * @param int $post_id The post.
 */
function listen_article_id( int $post_id ): string {
	return (string) $post_id;
}

/**
 * The player of one post, or '' (no service URL, or no audio and "hide when missing").
 *
 * @param int   $post_id The post.
 * @param array $options theme and layout overriding the settings.
 */
function listen_player( int $post_id, array $options = array() ): string {
	$s = listen_settings();
	if ( '' === $s['url'] || ! $post_id ) {
		return '';
	}
	if ( $s['hide_missing'] && 'sent' !== get_post_meta( $post_id, '_listen_state', true ) ) {
		return '';
	}
	$theme  = isset( $options['theme'] ) && in_array( $options['theme'], LISTEN_THEMES, true ) ? $options['theme'] : $s['theme'];
	$layout = isset( $options['layout'] ) && in_array( $options['layout'], LISTEN_LAYOUTS, true ) ? $options['layout'] : $s['layout'];
	wp_enqueue_script( 'listen-embed' );
	$attrs = sprintf(
		' data-listen-article="%s" data-listen-theme="%s"',
		esc_attr( listen_article_id( $post_id ) ),
		esc_attr( $theme )
	);
	if ( '' !== $layout ) {
		$attrs .= sprintf( ' data-listen-layout="%s"', esc_attr( $layout ) );
	}
	return sprintf( '<div class="listen-player"%s style="min-height:%dpx"></div>', $attrs, (int) LISTEN_HEIGHTS[ $layout ] );
}

add_action(
	'wp_enqueue_scripts',
	function () {
		$url = listen_settings()['url'];
		if ( '' !== $url ) {
			// WordPress 6.3+ prints async itself from 'strategy'; older ones get it below.
			wp_register_script(
				'listen-embed',
				$url . '/embed.js',
				array(),
				null, // phpcs:ignore WordPress.WP.EnqueuedResourceParameters.MissingVersion -- the service versions it.
				array(
					'strategy'  => 'async',
					'in_footer' => true,
				)
			);
		}
	}
);

add_filter(
	'script_loader_tag',
	function ( $tag, $handle ) {
		if ( 'listen-embed' === $handle && ! str_contains( $tag, ' async' ) ) {
			$tag = str_replace( ' src=', ' async src=', $tag );
		}
		return $tag;
	},
	10,
	2
);

/**
 * True if the post places its own player (the block or the shortcode).
 *
 * @param WP_Post $post The post.
 */
function listen_placed( WP_Post $post ): bool {
	return has_block( 'listen/player', $post ) || has_shortcode( $post->post_content, 'listen' );
}

// On the post's own page only: not in feeds, excerpts, archives or the REST API.
add_filter(
	'the_content',
	function ( $content ) {
		$post = get_post();
		$s    = listen_settings();
		if ( ! $post || 'manual' === $s['placement'] || listen_pushing() || ! listen_handles( $post->post_type )
			|| ! is_singular() || get_queried_object_id() !== $post->ID || listen_placed( $post ) ) {
			return $content;
		}
		$player = listen_player( $post->ID );
		return 'before' === $s['placement'] ? $player . $content : $content . $player;
	},
	// After do_blocks (9) and wpautop (10): the player's div is not wrapped in a paragraph.
	20
);

add_shortcode(
	'listen',
	function ( $atts ) {
		$atts = shortcode_atts(
			array(
				'theme'  => '',
				'layout' => '',
			),
			$atts,
			'listen'
		);
		return listen_pushing() ? '' : listen_player( (int) get_the_ID(), array_filter( $atts ) );
	}
);

add_action(
	'init',
	function () {
		wp_register_script(
			'listen-block',
			plugins_url( 'assets/block.js', LISTEN_PLUGIN_FILE ),
			array( 'wp-blocks', 'wp-element', 'wp-i18n' ),
			'0.1.0',
			true
		);
		register_block_type(
			'listen/player',
			array(
				'api_version'     => 2,
				'title'           => 'Listen player',
				'category'        => 'media',
				'editor_script'   => 'listen-block',
				'attributes'      => array(
					'theme'  => array(
						'type'    => 'string',
						'default' => '',
					),
					'layout' => array(
						'type'    => 'string',
						'default' => '',
					),
				),
				'render_callback' => function ( $attributes ) {
					return listen_pushing() ? '' : listen_player( (int) get_the_ID(), array_filter( $attributes ) );
				},
			)
		);
	}
);
