<?php
/**
 * Push on publish: a published post (new or updated) is sent to listen's publish API
 * (`PUT /api/articles/<post ID>`), an unpublished, trashed or deleted one is forgotten
 * with its audio (`DELETE /api/articles/<post ID>`). Saving never waits on listen: the
 * save only schedules a WP-Cron event (`listen_sync`), which decides from the post's
 * state when it runs, so a publish followed by a trash is a delete. A failure is retried
 * with backoff (1, 2, 4 … 32 minutes) and shown in the post's editor panel.
 *
 * @package Listen
 */

defined( 'ABSPATH' ) || exit;

/** Retries after the first failure; the wait doubles from LISTEN_RETRY_FIRST seconds. */
const LISTEN_RETRIES     = 6;
const LISTEN_RETRY_FIRST = 60;
/** Seconds one call to listen may take (in WP-Cron, never in a save). */
const LISTEN_TIMEOUT = 15;

/**
 * True while the plugin renders a post's content to push it (no player inside it).
 *
 * @param bool|null $set Set the flag.
 */
function listen_pushing( ?bool $set = null ): bool {
	static $pushing = false;
	if ( null !== $set ) {
		$pushing = $set;
	}
	return $pushing;
}

add_action(
	'transition_post_status',
	function ( $new_status, $old_status, $post ) {
		if ( ! $post instanceof WP_Post || ! listen_handles( $post->post_type )
			|| wp_is_post_revision( $post ) || wp_is_post_autosave( $post ) ) {
			return;
		}
		if ( 'publish' === $new_status || 'publish' === $old_status ) {
			listen_queue( $post->ID );
		}
	},
	10,
	3
);

add_action(
	'before_delete_post',
	function ( $post_id ) {
		$post = get_post( $post_id );
		if ( $post && listen_handles( $post->post_type ) && 'sent' === get_post_meta( $post_id, '_listen_state', true ) ) {
			listen_request( 'DELETE', $post_id, null ); // The post is going: no later event can read it.
		}
	}
);

/**
 * Schedule the post's sync now (replacing a pending retry).
 *
 * @param int $post_id The post.
 */
function listen_queue( int $post_id ): void {
	wp_clear_scheduled_hook( 'listen_sync', array( $post_id, 0 ) );
	for ( $attempt = 1; $attempt <= LISTEN_RETRIES; $attempt++ ) {
		wp_clear_scheduled_hook( 'listen_sync', array( $post_id, $attempt ) );
	}
	update_post_meta( $post_id, '_listen_state', 'queued' );
	wp_schedule_single_event( time(), 'listen_sync', array( $post_id, 0 ) );
}

add_action( 'listen_sync', 'listen_sync', 10, 2 );

/**
 * Push the post, or drop its audio, as its state now says; retry with backoff on failure.
 *
 * @param int $post_id The post.
 * @param int $attempt 0 for the first try.
 */
function listen_sync( $post_id, $attempt = 0 ): void {
	$post_id = (int) $post_id;
	$attempt = (int) $attempt;
	$post    = get_post( $post_id );
	if ( ! $post ) {
		return;
	}
	$live = 'publish' === $post->post_status && '' === $post->post_password && listen_handles( $post->post_type );
	$done = $live ? listen_request( 'PUT', $post_id, listen_article( $post ) ) : listen_request( 'DELETE', $post_id, null );
	if ( true === $done ) {
		update_post_meta( $post_id, '_listen_state', $live ? 'sent' : 'deleted' );
		update_post_meta( $post_id, '_listen_synced', time() );
		delete_post_meta( $post_id, '_listen_error' );
		return;
	}
	update_post_meta( $post_id, '_listen_error', $done['message'] );
	if ( $done['retry'] && $attempt < LISTEN_RETRIES ) {
		update_post_meta( $post_id, '_listen_state', 'retrying' );
		wp_schedule_single_event( time() + LISTEN_RETRY_FIRST * 2 ** $attempt, 'listen_sync', array( $post_id, $attempt + 1 ) );
	} else {
		update_post_meta( $post_id, '_listen_state', 'failed' );
	}
}

/**
 * The body of the push: what listen's WordPress source reads of the post, so both give
 * the same audio (title; the content through the site's own `the_content` filters, a
 * hand-written excerpt first as a standfirst; the language; the dates).
 *
 * @param WP_Post $post A published post.
 */
function listen_article( WP_Post $post ): array {
	global $wp_query;
	$previous = $GLOBALS['post'] ?? null;
	$GLOBALS['post'] = $post; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- restored below.
	setup_postdata( $post );
	listen_pushing( true );
	try {
		$content = apply_filters( 'the_content', $post->post_content );
		$excerpt = has_excerpt( $post ) ? apply_filters( 'the_excerpt', get_the_excerpt( $post ) ) : '';
	} finally {
		listen_pushing( false );
		$GLOBALS['post'] = $previous; // phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited
		if ( $previous instanceof WP_Post ) {
			setup_postdata( $previous );
		}
	}
	$lead = '' === $excerpt ? '' : '<div class="standfirst">' . $excerpt . "</div>\n";
	return array(
		'title'     => wp_strip_all_tags( html_entity_decode( get_the_title( $post ), ENT_QUOTES, 'UTF-8' ) ),
		'html'      => "<article>\n" . $lead . $content . "\n</article>\n",
		'language'  => listen_language( $post ),
		'excerpt'   => wp_strip_all_tags( $excerpt ),
		'published' => get_post_time( 'c', true, $post ),
		'modified'  => get_post_modified_time( 'c', true, $post ),
		'url'       => get_permalink( $post ),
	);
}

/**
 * The post's language code: Polylang's, WPML's, else the site's locale (`es_ES` → `es`).
 *
 * @param WP_Post $post The post.
 */
function listen_language( WP_Post $post ): string {
	$code = '';
	if ( function_exists( 'pll_get_post_language' ) ) {
		$code = (string) pll_get_post_language( $post->ID, 'slug' );
	}
	if ( '' === $code ) {
		$details = apply_filters( 'wpml_post_language_details', null, $post->ID );
		if ( is_array( $details ) && ! empty( $details['language_code'] ) ) {
			$code = (string) $details['language_code'];
		}
	}
	if ( '' === $code ) {
		$code = get_locale();
	}
	return strtolower( strtok( $code, '_-' ) );
}

/**
 * One call to the publish API.
 *
 * @param string     $method  PUT (push) or DELETE (forget it and its audio).
 * @param int        $post_id The post.
 * @param array|null $body    The article for PUT.
 * @return true|array{message: string, retry: bool} True, or why not and whether to retry.
 */
function listen_request( string $method, int $post_id, ?array $body ) {
	$s = listen_settings();
	if ( '' === $s['url'] || '' === $s['token'] ) {
		return array(
			'message' => __( 'Set the service URL and the admin token in Settings → Listen.', 'listen' ),
			'retry'   => false,
		);
	}
	$path = '/api/articles/' . rawurlencode( listen_article_id( $post_id ) );
	$args = array(
		'method'  => $method,
		'timeout' => LISTEN_TIMEOUT,
		'headers' => array(
			'Authorization' => 'Bearer ' . $s['token'],
			'Content-Type'  => 'application/json',
		),
	);
	if ( null !== $body ) {
		$args['body'] = wp_json_encode( $body );
	}
	$response = wp_remote_request( $s['url'] . $path, $args );
	if ( is_wp_error( $response ) ) {
		return array(
			/* translators: %s: the error */
			'message' => sprintf( __( 'listen is unreachable: %s', 'listen' ), $response->get_error_message() ),
			'retry'   => true,
		);
	}
	$code = (int) wp_remote_retrieve_response_code( $response );
	if ( $code >= 200 && $code < 300 ) {
		return true;
	}
	$answer = json_decode( wp_remote_retrieve_body( $response ), true );
	$reason = is_array( $answer ) && isset( $answer['message'] ) ? (string) $answer['message'] : '';
	return array(
		/* translators: 1: HTTP status, 2: listen's message */
		'message' => sprintf( __( 'listen answered %1$d: %2$s', 'listen' ), $code, $reason ),
		'retry'   => 429 === $code || $code >= 500,
	);
}
