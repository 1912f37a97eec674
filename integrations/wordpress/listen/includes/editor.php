<?php
/**
 * The post's "Listen" panel in the editor: the audio's state, the last error, and a
 * "Regenerate audio" action (nonce and capability checked).
 *
 * @package Listen
 */

defined( 'ABSPATH' ) || exit;

add_action(
	'add_meta_boxes',
	function () {
		add_meta_box( 'listen', 'Listen', 'listen_meta_box', listen_settings()['post_types'], 'side' );
	}
);

/**
 * The panel.
 *
 * @param WP_Post $post The post being edited.
 */
function listen_meta_box( WP_Post $post ): void {
	$state = (string) get_post_meta( $post->ID, '_listen_state', true );
	$error = (string) get_post_meta( $post->ID, '_listen_error', true );
	$url   = wp_nonce_url(
		admin_url( 'admin-post.php?action=listen_regenerate&post=' . $post->ID ),
		'listen_regenerate_' . $post->ID
	);
	?>
	<p><?php echo esc_html__( 'Audio:', 'listen' ); ?> <strong><?php echo esc_html( '' === $state ? __( 'not sent', 'listen' ) : $state ); ?></strong></p>
	<?php if ( '' !== $error ) : ?>
		<p class="listen-error" style="color:#b32d2e"><?php echo esc_html( $error ); ?></p>
	<?php endif; ?>
	<?php if ( 'publish' === $post->post_status ) : ?>
		<p><a class="button" href="<?php echo esc_url( $url ); ?>"><?php echo esc_html__( 'Regenerate audio', 'listen' ); ?></a></p>
	<?php endif; ?>
	<?php
}

add_action(
	'admin_post_listen_regenerate',
	function () {
		$post_id = isset( $_GET['post'] ) ? absint( $_GET['post'] ) : 0;
		if ( ! $post_id || ! current_user_can( 'edit_post', $post_id ) ) {
			wp_die( esc_html__( 'You may not edit this post.', 'listen' ), 403 );
		}
		check_admin_referer( 'listen_regenerate_' . $post_id );
		listen_queue( $post_id );
		wp_safe_redirect( get_edit_post_link( $post_id, 'raw' ) );
		exit;
	}
);
