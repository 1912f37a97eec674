/* The listen/player block in the editor: a placeholder; the page renders the player. */
( function ( blocks, element, i18n ) {
	blocks.registerBlockType( 'listen/player', {
		title: i18n.__( 'Listen player', 'listen' ),
		icon: 'controls-volumeon',
		category: 'media',
		attributes: {
			theme: { type: 'string', default: '' },
			layout: { type: 'string', default: '' },
		},
		supports: { multiple: false, html: false },
		edit: function () {
			return element.createElement(
				'div',
				{ className: 'listen-player-placeholder', style: { minHeight: '56px', border: '1px dashed #888', padding: '1em' } },
				i18n.__( 'The "Listen to this article" player appears here.', 'listen' )
			);
		},
		save: function () {
			return null;
		},
	} );
} )( window.wp.blocks, window.wp.element, window.wp.i18n );
