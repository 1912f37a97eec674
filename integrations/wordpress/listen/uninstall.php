<?php
/**
 * Uninstall: remove the plugin's options, post meta and scheduled events.
 * (The audio on the listen service is the service's: delete it there.)
 *
 * @package Listen
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

delete_option( 'listen_settings' );
foreach ( array( '_listen_state', '_listen_error', '_listen_synced' ) as $listen_key ) {
	delete_post_meta_by_key( $listen_key );
}
wp_unschedule_hook( 'listen_sync' );
